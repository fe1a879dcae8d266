// A form submission, end to end: find the contact by e-mail or phone, create it if missing, create the
// lead, link them. Safe to run again with the same submission (a retry after a timeout, a resent
// webhook): the second run finds what the first made and creates nothing.
//
// Run it against a portal:   B24_WEBHOOK_URL=https://your.bitrix24.com/rest/1/code/ npx tsx examples/form-submission.ts
// It runs against the sandbox in `npm test` (test/sandbox/form-submission-example.test.ts).
import { createBitrix24Client, type Bitrix24Client } from '../src/index.js';

/** What the web form sent. `submissionId` is the form's own id for this submission (unique per submission). */
export interface FormSubmission {
  submissionId: string;
  name: string;
  email?: string;
  phone?: string;
  message?: string;
}

/** What the run found or made. */
export interface SubmissionOutcome {
  leadId: number;
  contactId: number;
  createdLead: boolean;
  createdContact: boolean;
  linked: boolean;
}

/** Marks the leads this integration makes: with `ORIGIN_ID`, a submission's lead can be found again. */
export const ORIGINATOR_ID = 'example-web-form';

/** Looks a contact up by e-mail first, then by phone; the oldest match wins. */
async function findContact(client: Bitrix24Client, form: FormSubmission): Promise<number | undefined> {
  const lookups = [
    { type: 'EMAIL' as const, value: form.email },
    { type: 'PHONE' as const, value: form.phone },
  ];
  for (const { type, value } of lookups) {
    if (!value) continue;
    const found = await client.crm.duplicate.findbycomm({ type, values: [value], entity_type: 'CONTACT' });
    // No match at all comes back as an empty list, a match as { CONTACT: [ids] }.
    const ids = Array.isArray(found) ? [] : (found.CONTACT ?? []);
    if (ids.length > 0) return Math.min(...ids);
  }
  return undefined;
}

/** The lead an earlier run made for this submission, if any. */
async function findLead(client: Bitrix24Client, form: FormSubmission): Promise<number | undefined> {
  const page = await client.crm.lead.list({
    filter: { ORIGINATOR_ID, ORIGIN_ID: form.submissionId },
    select: ['ID'],
    order: { ID: 'ASC' },
    start: -1,
  });
  const first = page.result[0];
  return first ? Number(first.ID) : undefined;
}

/**
 * Files one form submission as a lead linked to its contact.
 *
 * Each step first looks for what it would make, so a run that failed halfway (or succeeded but
 * its answer was lost) can be repeated as is. Two runs of the same submission at the same moment
 * can still both create: serialise them per `submissionId` (a queue, a lock) if that can happen.
 */
export async function fileSubmission(client: Bitrix24Client, form: FormSubmission): Promise<SubmissionOutcome> {
  if (!form.email && !form.phone) throw new TypeError('form: give email or phone, so the contact can be found again');
  const email = form.email ? [{ VALUE: form.email, VALUE_TYPE: 'WORK' }] : undefined;
  const phone = form.phone ? [{ VALUE: form.phone, VALUE_TYPE: 'WORK' }] : undefined;

  let contactId = await findContact(client, form);
  const createdContact = contactId === undefined;
  // Created with retries off: a repeat after a lost answer would make a second record. A failed run is
  // repeated as a whole instead, and its lookups find what the lost answer had made.
  contactId ??= await client.crm.contact.add({ fields: { NAME: form.name, SOURCE_ID: 'WEB', EMAIL: email, PHONE: phone } }, { retry: false });

  let leadId = await findLead(client, form);
  const createdLead = leadId === undefined;
  leadId ??= await client.crm.lead.add(
    {
      fields: {
        TITLE: `Web form: ${form.name}`,
        NAME: form.name,
        SOURCE_ID: 'WEB',
        COMMENTS: form.message,
        EMAIL: email,
        PHONE: phone,
        ORIGINATOR_ID,
        ORIGIN_ID: form.submissionId,
      },
    },
    { retry: false },
  );

  // Checking the links first means a retry never re-adds the link (nor moves the primary flag).
  const links = await client.crm.lead.contact.items.get({ id: leadId });
  const linked = !links.some((link) => Number(link.CONTACT_ID) === contactId);
  if (linked) await client.crm.lead.contact.add({ id: leadId, fields: { CONTACT_ID: contactId, IS_PRIMARY: 'Y' } });

  return { leadId, contactId, createdLead, createdContact, linked };
}

// Run as a script: files one sample submission on the portal of B24_WEBHOOK_URL.
if (import.meta.url === `file://${process.argv[1]}`) {
  const webhookUrl = process.env.B24_WEBHOOK_URL;
  if (!webhookUrl) {
    console.error('Set B24_WEBHOOK_URL to an inbound webhook URL with the crm scope.');
    process.exit(2);
  }
  const client = createBitrix24Client({ webhookUrl });
  const outcome = await fileSubmission(client, {
    submissionId: `sample-${new Date().toISOString().slice(0, 10)}`,
    name: 'Anna Berg',
    email: 'anna.berg@example.org',
    phone: '+1 555-888-0101',
    message: 'Please call me back about the offer.',
  });
  console.log(outcome);
}
