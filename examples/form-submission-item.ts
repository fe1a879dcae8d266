// The form submission of examples/form-submission.ts in the vendor's current API, crm.item.*: find the
// contact by e-mail or phone, create it if missing, find or create the lead already linked to it.
// Safe to run again with the same submission: the second run finds what the first made and creates
// nothing. docs/crm-item.md sets each step beside its legacy form.
//
// Run it against a portal:   B24_WEBHOOK_URL=https://your.bitrix24.com/rest/1/code/ npx tsx examples/form-submission-item.ts
// It runs against the sandbox in `npm test` (test/sandbox/form-submission.test.ts, with the legacy form).
import { createBitrix24Client, type Bitrix24Client } from '../src/index.js';
import { type FormSubmission, ORIGINATOR_ID, type SubmissionOutcome } from './form-submission.js';

// The same marker and the same shapes as the legacy form: the two programs file the same submission alike.
export { ORIGINATOR_ID, type FormSubmission, type SubmissionOutcome };

const LEAD = 1;
const CONTACT = 3;

/**
 * Looks a contact up by e-mail first, then by phone; the oldest match wins. The duplicate search has
 * no crm.item form: crm.duplicate.findbycomm is current.
 */
async function findContact(client: Bitrix24Client, form: FormSubmission): Promise<number | undefined> {
  const lookups = [
    { type: 'EMAIL' as const, value: form.email },
    { type: 'PHONE' as const, value: form.phone },
  ];
  for (const { type, value } of lookups) {
    if (!value) continue;
    const found = await client.crm.duplicate.findbycomm({ type, values: [value], entity_type: 'CONTACT' });
    const ids = Array.isArray(found) ? [] : (found.CONTACT ?? []);
    if (ids.length > 0) return Math.min(...ids);
  }
  return undefined;
}

/** The lead an earlier run made for this submission, with the contacts it is linked to. */
async function findLead(client: Bitrix24Client, form: FormSubmission) {
  const page = await client.crm.item.list({
    entityTypeId: LEAD,
    filter: { originatorId: ORIGINATOR_ID, originId: form.submissionId },
    select: ['id', 'contactIds'],
    order: { id: 'ASC' },
    start: -1, // no count: the fast read
  });
  return page.result.items[0];
}

/**
 * Files one form submission as a lead linked to its contact.
 *
 * A new lead is created already linked (`contactIds` on add, one call instead of two). A lead an
 * earlier run made without its link gets it through crm.item.update, which replaces the whole list
 * (the first contact becomes primary), so the list sent keeps the links the lead already has.
 */
export async function fileSubmission(client: Bitrix24Client, form: FormSubmission): Promise<SubmissionOutcome> {
  if (!form.email && !form.phone) throw new TypeError('form: give email or phone, so the contact can be found again');
  const fm = [
    ...(form.email ? [{ typeId: 'EMAIL' as const, valueType: 'WORK', value: form.email }] : []),
    ...(form.phone ? [{ typeId: 'PHONE' as const, valueType: 'WORK', value: form.phone }] : []),
  ];

  let contactId = await findContact(client, form);
  const createdContact = contactId === undefined;
  // Created with retries off: a repeat after a lost answer would make a second record. A failed run is
  // repeated as a whole instead, and its lookups find what the lost answer had made.
  contactId ??= (await client.crm.item.add({ entityTypeId: CONTACT, fields: { name: form.name, sourceId: 'WEB', fm } }, { retry: false })).item.id;

  const found = await findLead(client, form);
  if (!found) {
    const { item } = await client.crm.item.add(
      {
        entityTypeId: LEAD,
        fields: {
          title: `Web form: ${form.name}`,
          name: form.name,
          sourceId: 'WEB',
          comments: form.message ?? null,
          fm,
          originatorId: ORIGINATOR_ID,
          originId: form.submissionId,
          contactIds: [contactId],
        },
      },
      { retry: false },
    );
    return { leadId: item.id, contactId, createdLead: true, createdContact, linked: true };
  }

  const current = found.contactIds ?? [];
  const linked = !current.includes(contactId);
  if (linked) await client.crm.item.update({ entityTypeId: LEAD, id: found.id, fields: { contactIds: [contactId, ...current] } });
  return { leadId: found.id, contactId, createdLead: false, createdContact, linked };
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
    submissionId: `sample-item-${new Date().toISOString().slice(0, 10)}`,
    name: 'Anna Berg',
    email: 'anna.berg@example.org',
    phone: '+1 555-888-0101',
    message: 'Please call me back about the offer.',
  });
  console.log(outcome);
}
