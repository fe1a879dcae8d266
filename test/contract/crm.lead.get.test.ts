import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.lead.get';
const seedRequest = { id: 1 };

describe(METHOD, () => {
  describe('success', () => {
    it('returns the lead with ids as text and the primary contact in CONTACT_ID', async () => {
      const lead = await mockClient().crm.lead.get(seedRequest);
      expect(lead).toMatchObject({ ID: '1', CONTACT_ID: '1010', CONTACT_IDS: [1010, 1011], OPPORTUNITY: '12500.00', IS_RETURN_CUSTOMER: 'N' });
      expect(lead.PHONE?.[0]).toMatchObject({ VALUE: '555888', VALUE_TYPE: 'WORK', TYPE_ID: 'PHONE' });
    });

    it('reads the lead through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.get(seedRequest)).resolves.toHaveProperty('ID', '1');
    });

    it('shows CONTACT_ID as null for a lead without contacts', async () => {
      const lead = await mockClient({ prefer: 'code=200, example=leadWithoutContacts' }).crm.lead.get({ id: 2 });
      expect(lead).toMatchObject({ ID: '2', CONTACT_ID: null, CONTACT_IDS: [] });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.get(seedRequest));

    it('an unknown lead is a 400 with an empty code and "Not found", not NOT_FOUND', async () => {
      const client = mockClient({ prefer: 'code=400, example=recordNotFound' });
      await expect(client.crm.lead.get({ id: 999 })).rejects.toMatchObject({ status: 400, code: '', description: 'Not found' });
    });
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{}', /must have required property 'id'/],
      ['the id as ID, as the page’s cURL example sends it', '{"ID":1}', /must have required property 'id'/],
      ['id as text', '{"id":"one"}', /id must be integer/],
      ['id below 1', '{"id":0}', /id must be >= 1/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body with a text id', 'id=abc', /id must be integer/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
