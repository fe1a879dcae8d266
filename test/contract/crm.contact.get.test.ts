import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.contact.get';
const seedRequest = { id: 1010 };

describe(METHOD, () => {
  describe('success', () => {
    it('returns the contact with ids as text and unset fields as null', async () => {
      const contact = await mockClient().crm.contact.get(seedRequest);
      expect(contact).toMatchObject({ ID: '1010', NAME: 'John', LAST_NAME: 'Smith', SECOND_NAME: null, ASSIGNED_BY_ID: '1' });
      expect(contact.EMAIL?.[0]).toMatchObject({ VALUE: 'john.smith@example.org', TYPE_ID: 'EMAIL' });
    });

    it('reads the contact through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.contact.get(seedRequest)).resolves.toHaveProperty('ID', '1010');
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.get(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{}', /must have required property 'id'/],
      ['id as text', '{"id":"1010"}', /id must be integer/],
      ['id below 1', '{"id":-1}', /id must be >= 1/],
      ['fractional id', '{"id":10.5}', /id must be integer/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body with a text id', 'id=abc', /id must be integer/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
