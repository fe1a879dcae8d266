// A web form submission, end to end: find the contact by e-mail or phone, create it if missing,
// create the lead, link the two. Safe to run again for the same submission (a retry after a timeout,
// a webhook delivered twice): the second run finds what the first made and changes nothing.
//
// Run against the sandbox in `npm test` (test/sandbox/form-example.test.ts); against a portal, pass a
// client made with `createBitrix24Client({ webhookUrl: process.env.B24_WEBHOOK_URL })`.
import type { Bitrix24Client } from '../src/index.js';

export interface FormSubmission {
  /** The form system's id of this submission: it makes the lead findable, so a retry does not duplicate it. */
  submissionId: string;
  name: string;
  email?: string;
  phone?: string;
  message?: string;
}

export interface FormOutcome {
  leadId: number;
  contactId: number;
  /** What this run made; all false on a retry of a submission that went through. */
  created: { contact: boolean; lead: boolean; link: boolean };
}

/** The value `ORIGINATOR_ID` carries on every lead this integration makes. */
const ORIGINATOR = 'website-form';

/** The first contact holding one of the submission's addresses, by e-mail first, then by phone. */
async function findContact(client: Bitrix24Client, { email, phone }: FormSubmission): Promise<number | undefined> {
  for (const [type, value] of [
    ['EMAIL', email],
    ['PHONE', phone],
  ] as const) {
    if (!value) continue;
    const found = await client.crm.duplicate.findbycomm({ type, values: [value], entity_type: 'CONTACT' });
    // Nothing found is an empty list, not an empty object.
    if (!Array.isArray(found) && found.CONTACT?.length) return Math.min(...found.CONTACT);
  }
  return undefined;
}

/** The lead an earlier run made for this submission, found by its ORIGIN_ID. */
async function findLead(client: Bitrix24Client, submissionId: string): Promise<number | undefined> {
  const page = await client.crm.lead.list({ filter: { ORIGINATOR_ID: ORIGINATOR, ORIGIN_ID: submissionId }, order: { ID: 'ASC' }, select: ['ID'], start: -1 });
  return page.result[0] ? Number(page.result[0].ID) : undefined;
}

export async function handleFormSubmission(client: Bitrix24Client, form: FormSubmission): Promise<FormOutcome> {
  if (!form.email && !form.phone) throw new TypeError('A form submission needs an e-mail or a phone to find or create its contact');
  const created = { contact: false, lead: false, link: false };

  let contactId = await findContact(client, form);
  if (contactId === undefined) {
    // Not retried automatically: a repeat after a lost answer would create a second contact.
    contactId = await client.crm.contact.add(
      {
        fields: {
          NAME: form.name,
          SOURCE_ID: 'WEB',
          ...(form.email ? { EMAIL: [{ VALUE: form.email, VALUE_TYPE: 'WORK' }] } : {}),
          ...(form.phone ? { PHONE: [{ VALUE: form.phone, VALUE_TYPE: 'WORK' }] } : {}),
        },
      },
      { retry: false },
    );
    created.contact = true;
  }

  let leadId = await findLead(client, form.submissionId);
  if (leadId === undefined) {
    leadId = await client.crm.lead.add(
      {
        fields: {
          TITLE: `Website form: ${form.name}`,
          NAME: form.name,
          SOURCE_ID: 'WEB',
          ...(form.message ? { COMMENTS: form.message } : {}),
          ORIGINATOR_ID: ORIGINATOR,
          ORIGIN_ID: form.submissionId,
        },
      },
      { retry: false },
    );
    created.lead = true;
  }

  // false when the contact is already linked: the link call itself is safe to repeat.
  created.link = await client.crm.lead.contact.add({ id: leadId, fields: { CONTACT_ID: contactId, IS_PRIMARY: 'Y' } });
  return { leadId, contactId, created };
}
