import { describe, expect, it } from 'vitest';
import { handleFormSubmission } from '../../examples/form-submission.js';
import { sandboxWithClient } from './checked-sandbox.js';

const form = { submissionId: 'sub-1001', name: 'Anna Berg', email: 'Anna.Berg@example.org', phone: '+1 555 010 0200', message: 'Call me back' };

describe('the worked example: a form submission', () => {
  it('creates the contact and the lead and links them, primary', async () => {
    const { client } = sandboxWithClient();
    const outcome = await handleFormSubmission(client, form);
    expect(outcome.created).toEqual({ contact: true, lead: true, link: true });
    expect(await client.crm.lead.contact.items.get({ id: outcome.leadId })).toEqual([{ CONTACT_ID: outcome.contactId, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
    expect(await client.crm.lead.get({ id: outcome.leadId })).toMatchObject({ CONTACT_ID: String(outcome.contactId), ORIGIN_ID: 'sub-1001' });
  });

  it('is idempotent: a retry of the same submission finds everything and creates nothing', async () => {
    const { client, sandbox } = sandboxWithClient();
    const first = await handleFormSubmission(client, form);
    const again = await handleFormSubmission(client, form);
    expect(again).toEqual({ leadId: first.leadId, contactId: first.contactId, created: { contact: false, lead: false, link: false } });
    expect(sandbox.calls.filter((call) => call.method.endsWith('.add') && call.status === 200 && call.method !== 'crm.lead.contact.add')).toHaveLength(2);
  });

  it('finds an existing contact by phone when the e-mail is new, and by e-mail in another case', async () => {
    const { client } = sandboxWithClient({ seed: { contacts: [{ id: 77, fields: { NAME: 'Anna', PHONE: [{ VALUE: '15550100200' }] } }] } });
    const byPhone = await handleFormSubmission(client, { ...form, email: 'new@example.org' });
    expect([byPhone.contactId, byPhone.created.contact]).toEqual([77, false]);
    const byEmail = await handleFormSubmission(
      sandboxWithClient({ seed: { contacts: [{ id: 1010, fields: { EMAIL: [{ VALUE: 'anna.berg@example.org' }] } }] } }).client,
      {
        ...form,
        phone: undefined,
      },
    );
    expect(byEmail.contactId).toBe(1010);
  });

  it('refuses a submission with neither e-mail nor phone', async () => {
    const { client } = sandboxWithClient();
    await expect(handleFormSubmission(client, { submissionId: 's', name: 'x' })).rejects.toThrow(/needs an e-mail or a phone/);
  });
});
