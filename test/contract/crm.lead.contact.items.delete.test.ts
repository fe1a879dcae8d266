import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient } from '../support/helpers.js';

const METHOD = 'crm.lead.contact.items.delete';
const seedRequest = { id: 1 };

describe(METHOD, () => {
  describe('success', () => {
    it('unlinks every contact through the webhook URL and returns the boolean result', async () => {
      await expect(mockClient().crm.lead.contact.items.delete(seedRequest)).resolves.toBe(true);
    });

    it('unlinks every contact through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.contact.items.delete(seedRequest)).resolves.toBe(true);
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.items.delete(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{}', /must have required property 'id'/],
      ['id as text', '{"id":"one"}', /id must be integer/],
      ['id below 1', '{"id":-5}', /id must be >= 1/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property 'id'/],
      ['a form body without id', 'utm_source=crm', /must have required property 'id'/, 'application/x-www-form-urlencoded'],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
