import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../helpers.js';

const METHOD = 'crm.contact.list';
const seedRequest = { select: ['ID', 'NAME', 'LAST_NAME', 'EMAIL'], filter: { EMAIL: 'john.smith@example.org' } } as const;

describe(METHOD, () => {
  describe('success', () => {
    it('answers with the contacts, ids as text, the named multiple field and total', async () => {
      const page = await mockClient().crm.contact.list(seedRequest);
      expect(page.total).toBe(1);
      expect(page.result[0]).toMatchObject({ ID: '1010', NAME: 'John', EMAIL: [{ VALUE: 'john.smith@example.org', TYPE_ID: 'EMAIL' }] });
    });

    it('lists through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.contact.list(seedRequest)).resolves.toHaveProperty('total', 1);
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.list(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['filter as text', '{"filter":"x"}', /filter must be object/],
      ['a filter value that is an object', '{"filter":{"NAME":{"a":1}}}', /filter\.NAME/],
      ['a select entry with a space', '{"select":["NA ME"]}', /select\.0 must match pattern/],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
