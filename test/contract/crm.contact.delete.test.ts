import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.contact.delete';
const seedRequest = { id: 1010 };

describe(METHOD, () => {
  describe('success', () => {
    it('deletes the contact through the webhook URL and returns true', async () => {
      await expect(mockClient().crm.contact.delete(seedRequest)).resolves.toBe(true);
    });

    it('deletes the contact through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.contact.delete(seedRequest)).resolves.toBe(true);
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.delete(seedRequest));

    it('an unknown contact is a 400 with an empty code, not a false result', async () => {
      const client = mockClient({ prefer: 'code=400, example=recordNotFound' });
      await expect(client.crm.contact.delete({ id: 999_999 })).rejects.toMatchObject({ status: 400, code: '', description: 'Not found' });
    });
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{}', /must have required property 'id'/],
      ['id as text', '{"id":"x"}', /id must be integer/],
      ['id below 1', '{"id":0}', /id must be >= 1/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body without id', 'utm_source=crm', /must have required property 'id'/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
