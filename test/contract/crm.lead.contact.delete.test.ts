import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.lead.contact.delete';
/** The request of the official page's own cURL example. */
const seedRequest = { id: 1, fields: { CONTACT_ID: 1010 } };

describe(METHOD, () => {
  describe('success', () => {
    it('unlinks a contact through the webhook URL and returns the boolean result', async () => {
      await expect(mockClient().crm.lead.contact.delete(seedRequest)).resolves.toBe(true);
    });

    it('unlinks a contact through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.contact.delete(seedRequest)).resolves.toBe(true);
    });

    it('returns false when the contact was not linked', async () => {
      const client = mockClient({ prefer: 'code=200, example=nothingChanged' });
      await expect(client.crm.lead.contact.delete(seedRequest)).resolves.toBe(false);
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.delete(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{"fields":{"CONTACT_ID":1010}}', /required property 'id'/],
      ['missing fields', '{"id":1}', /required property 'fields'/],
      ['missing fields.CONTACT_ID', '{"id":1,"fields":{}}', /fields must have required property 'CONTACT_ID'/],
      ['CONTACT_ID as text', '{"id":1,"fields":{"CONTACT_ID":"abc"}}', /fields\.CONTACT_ID must be integer/],
      ['id below 1', '{"id":0,"fields":{"CONTACT_ID":1010}}', /id must be >= 1/],
      [
        'a field other than CONTACT_ID',
        '{"id":1,"fields":{"CONTACT_ID":1010,"IS_PRIMARY":"Y"}}',
        /fields must NOT have additional properties; found 'IS_PRIMARY'/,
      ],
      ['malformed JSON', '{"id":1,"fields":', /not valid JSON/],
      ['empty body', undefined, /must have required property 'id'/],
      ['a form body with a text CONTACT_ID', 'id=1&fields[CONTACT_ID]=abc', /fields\.CONTACT_ID must be integer/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
