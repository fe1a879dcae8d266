import { describe, expect, it } from 'vitest';
import * as itemForm from '../../examples/form-submission-item.js';
import * as legacyForm from '../../examples/form-submission.js';
import { type FormSubmission, ORIGINATOR_ID } from '../../examples/form-submission.js';
import type { Seed } from '../../src/node/sandbox.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';

const FORM: FormSubmission = {
  submissionId: 'form-7f3a',
  name: 'Anna Berg',
  email: 'anna.berg@example.org',
  phone: '+1 555-888-0101',
  message: 'Please call me back.',
};

/** A sandbox (every answer checked against the contract) and a client on it. */
const portal = (seed: Seed = { leads: [], contacts: [] }) => sandboxWithClient({ seed });

/** The leads this submission made and the contacts holding its e-mail, from the sandbox's own state. */
function madeFor(sandbox: ReturnType<typeof portal>['sandbox'], form: FormSubmission) {
  const { leads, contacts } = sandbox.snapshot();
  const hasEmail = (fields: Record<string, unknown>) =>
    Array.isArray(fields.EMAIL) && fields.EMAIL.some((entry: { VALUE?: string }) => entry.VALUE?.toLowerCase() === form.email?.toLowerCase());
  return {
    leads: leads.filter((lead) => lead.fields.ORIGIN_ID === form.submissionId && lead.fields.ORIGINATOR_ID === ORIGINATOR_ID),
    contacts: contacts.filter((contact) => hasEmail(contact.fields)),
  };
}

// One table for both programs: the legacy calls and the crm.item calls file a submission alike.
const PROGRAMS = [
  { file: 'examples/form-submission.ts', fileSubmission: legacyForm.fileSubmission, leadLookup: 'crm.lead.list' },
  { file: 'examples/form-submission-item.ts', fileSubmission: itemForm.fileSubmission, leadLookup: 'crm.item.list' },
] as const;

describe.each(PROGRAMS)('$file', ({ fileSubmission, leadLookup }) => {
  it('creates the contact and the lead and links them as primary on the first run', async () => {
    const { sandbox, client } = portal();
    const outcome = await fileSubmission(client, FORM);
    expect(outcome).toMatchObject({ createdContact: true, createdLead: true, linked: true });
    const made = madeFor(sandbox, FORM);
    expect(made.leads).toHaveLength(1);
    expect(made.contacts).toHaveLength(1);
    expect(sandbox.lead(outcome.leadId)?.contacts).toEqual([{ CONTACT_ID: outcome.contactId, SORT: 10, IS_PRIMARY: 'Y' }]);
  });

  it('creates nothing on a second run of the same submission', async () => {
    const { sandbox, client } = portal();
    const first = await fileSubmission(client, FORM);
    const again = await fileSubmission(client, FORM);
    expect(again).toEqual({ leadId: first.leadId, contactId: first.contactId, createdContact: false, createdLead: false, linked: false });
    const made = madeFor(sandbox, FORM);
    expect(made.leads).toHaveLength(1);
    expect(made.contacts).toHaveLength(1);
    expect(sandbox.lead(first.leadId)?.contacts).toHaveLength(1);
  });

  it('finishes on retry after failing halfway, without a second contact', async () => {
    const { sandbox, client } = portal();
    // Halfway: the contact is made, the lead lookup fails.
    sandbox.fail(leadLookup, { status: 500, error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal error' }, { times: 1 });
    await expect(fileSubmission(client, FORM)).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(madeFor(sandbox, FORM)).toMatchObject({ leads: [], contacts: [expect.anything()] });
    const retried = await fileSubmission(client, FORM);
    expect(retried).toMatchObject({ createdContact: false, createdLead: true, linked: true });
    expect(madeFor(sandbox, FORM).contacts).toHaveLength(1);
  });

  it('links an existing contact found by phone when the e-mail is new', async () => {
    const { sandbox, client } = portal({
      contacts: [{ id: 5001, fields: { NAME: 'Anna', PHONE: [{ VALUE: '+15558880101', VALUE_TYPE: 'MOBILE' }] } }],
    });
    const outcome = await fileSubmission(client, { ...FORM, email: 'anna@new-domain.example' });
    expect(outcome).toMatchObject({ contactId: 5001, createdContact: false, createdLead: true });
    expect(sandbox.lead(outcome.leadId)?.contacts.map((link) => link.CONTACT_ID)).toEqual([5001]);
  });

  it('finds an existing contact by e-mail whatever its case, and records the lead as the portal shows it', async () => {
    const { client } = portal({ contacts: [{ id: 1010, fields: { EMAIL: [{ VALUE: 'anna.berg@example.org' }] } }] });
    const outcome = await fileSubmission(client, { ...FORM, email: 'Anna.Berg@Example.org', phone: undefined });
    expect(outcome).toMatchObject({ contactId: 1010, createdContact: false });
    expect(await client.crm.lead.get({ id: outcome.leadId })).toMatchObject({ CONTACT_ID: '1010', ORIGIN_ID: FORM.submissionId, ORIGINATOR_ID });
  });

  it('refuses a submission with neither e-mail nor phone, before any call', async () => {
    const { client, sandbox } = portal();
    await expect(fileSubmission(client, { submissionId: 's', name: 'x' })).rejects.toThrow(/give email or phone/);
    expect(sandbox.calls).toEqual([]);
  });
});
