import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.lead.contact.items.get';
const seedRequest = { id: 1 };

describe(METHOD, () => {
  describe('success', () => {
    it('lists the linked contacts with sort, role and primary flag', async () => {
      const items = await mockClient().crm.lead.contact.items.get(seedRequest);
      expect(items).toEqual([
        { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 1011, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
      ]);
      expect(items.filter((item) => item.IS_PRIMARY === 'Y')).toHaveLength(1);
    });

    it('lists the contacts through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.contact.items.get(seedRequest)).resolves.toHaveLength(2);
    });

    it('returns an empty array for a lead without contacts', async () => {
      const client = mockClient({ prefer: 'code=200, example=noContacts' });
      await expect(client.crm.lead.contact.items.get(seedRequest)).resolves.toEqual([]);
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.items.get(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{}', /must have required property 'id'/],
      ['id as text', '{"id":"one"}', /id must be integer/],
      ['id below 1', '{"id":0}', /id must be >= 1/],
      ['fractional id', '{"id":1.5}', /id must be integer/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property 'id'/],
      ['a form body with a text id', 'id=abc', /id must be integer/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
