import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../support/helpers.js';

const METHOD = 'crm.lead.contact.items.set';
/** The request of the official page's own cURL example. */
const seedRequest: MethodParams<'crm.lead.contact.items.set'> = {
  id: 1,
  items: [
    { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' },
    { CONTACT_ID: 1020, SORT: 20, IS_PRIMARY: 'N' },
  ],
};
const FORM = 'application/x-www-form-urlencoded';

describe(METHOD, () => {
  describe('success', () => {
    it('replaces the contact list and returns the boolean result', async () => {
      await expect(mockClient().crm.lead.contact.items.set(seedRequest)).resolves.toBe(true);
    });

    it('takes entries with only CONTACT_ID, leaving sort and primary to the defaults', async () => {
      const request = { id: 1, items: [{ CONTACT_ID: 1020 }, { CONTACT_ID: 1010 }] };
      await expect(mockClient().crm.lead.contact.items.set(request)).resolves.toBe(true);
    });

    it('replaces the contact list through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.contact.items.set(seedRequest)).resolves.toBe(true);
    });

    it('reads an indexed form body with percent-encoded brackets, as http_build_query sends it', async () => {
      const body = 'id=1&items%5B0%5D%5BCONTACT_ID%5D=1010&items%5B0%5D%5BIS_PRIMARY%5D=Y&items%5B1%5D%5BCONTACT_ID%5D=1020';
      await expect(postRaw(webhookPath(METHOD), body, FORM)).resolves.toMatchObject({ status: 200, body: { result: true } });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.items.set(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{"items":[{"CONTACT_ID":1010}]}', /required property 'id'/],
      ['missing items', '{"id":1}', /required property 'items'/],
      ['items as an object, as the docs type it', '{"id":1,"items":{"CONTACT_ID":1010}}', /items must be array/],
      ['an empty items list', '{"id":1,"items":[]}', /items must NOT have fewer than 1 items/],
      ['an entry without CONTACT_ID', '{"id":1,"items":[{"CONTACT_ID":1010},{"SORT":20}]}', /items\.1 must have required property 'CONTACT_ID'/],
      ['CONTACT_ID as text', '{"id":1,"items":[{"CONTACT_ID":"abc"}]}', /items\.0\.CONTACT_ID must be integer/],
      ['CONTACT_ID below 1', '{"id":1,"items":[{"CONTACT_ID":0}]}', /items\.0\.CONTACT_ID must be >= 1/],
      ['IS_PRIMARY as a JSON boolean', '{"id":1,"items":[{"CONTACT_ID":1010,"IS_PRIMARY":true}]}', /items\.0\.IS_PRIMARY must be string/],
      [
        'IS_PRIMARY outside Y/N',
        '{"id":1,"items":[{"CONTACT_ID":1010,"IS_PRIMARY":"yes"}]}',
        /items\.0\.IS_PRIMARY must be equal to one of the allowed values: Y, N/,
      ],
      ['an unknown key in an entry', '{"id":1,"items":[{"CONTACT_ID":1010,"ROLE_ID":0}]}', /items\.0 must NOT have additional properties; found 'ROLE_ID'/],
      ['malformed JSON', '{"id":1,"items":[', /not valid JSON/],
      ['a form entry with a text CONTACT_ID', 'id=1&items[0][CONTACT_ID]=abc', /items\.0\.CONTACT_ID must be integer/, FORM],
      ['a form entry without CONTACT_ID', 'id=1&items[0][CONTACT_ID]=1010&items[1][SORT]=20', /items\.1 must have required property 'CONTACT_ID'/, FORM],
      ['a form body with items as plain text', 'id=1&items=1010', /items must be array/, FORM],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
