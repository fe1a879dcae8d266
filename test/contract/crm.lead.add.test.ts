import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../support/helpers.js';

const METHOD = 'crm.lead.add';
/** The contract's `newLead` example: standard fields, a multiple field and an option. */
const seedRequest: MethodParams<'crm.lead.add'> = {
  fields: {
    TITLE: 'Website enquiry',
    NAME: 'Anna',
    STATUS_ID: 'NEW',
    OPENED: 'Y',
    ASSIGNED_BY_ID: 1,
    OPPORTUNITY: 12500,
    PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }],
  },
  params: { REGISTER_SONET_EVENT: 'Y' },
};
const FORM = 'application/x-www-form-urlencoded';

describe(METHOD, () => {
  describe('success', () => {
    it('creates a lead through the webhook URL and returns its id as a number', async () => {
      await expect(mockClient().crm.lead.add(seedRequest)).resolves.toBe(3);
    });

    it('creates a lead through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.add({ fields: { TITLE: 'Website enquiry' } })).resolves.toBe(3);
    });

    it('takes ids as decimal text, contacts to link and custom fields it does not know', async () => {
      const request = { fields: { TITLE: 'Referral', ASSIGNED_BY_ID: '1', CONTACT_IDS: ['1010', 1011], UF_CRM_1720697698689: { any: ['shape'] } } };
      await expect(mockClient().crm.lead.add(request)).resolves.toBe(3);
    });

    it('reads a form body with multiple fields, text ids, custom fields and options', async () => {
      const body =
        'fields[TITLE]=Website%20enquiry&fields[ASSIGNED_BY_ID]=1&fields[CONTACT_ID]=1010&fields[PHONE][0][VALUE]=555888' +
        '&fields[PHONE][0][VALUE_TYPE]=WORK&fields[UF_CRM_1720697698689]=007&params[REGISTER_SONET_EVENT]=Y';
      await expect(postRaw(webhookPath(METHOD), body, FORM)).resolves.toMatchObject({ status: 200, body: { result: 3 } });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.add(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing fields', '{"params":{"REGISTER_SONET_EVENT":"Y"}}', /required property 'fields'/],
      ['fields as an array', '{"fields":[]}', /fields must be object/],
      ['params as text', '{"fields":{"TITLE":"x"},"params":"Y"}', /params must be object/],
      ['OPENED as a JSON boolean', '{"fields":{"OPENED":true}}', /fields\.OPENED must be equal to one of the allowed values: Y, N/],
      ['a user id that is not a number', '{"fields":{"ASSIGNED_BY_ID":"abc"}}', /fields\.ASSIGNED_BY_ID must match pattern/],
      ['a contact id below 1', '{"fields":{"CONTACT_ID":0}}', /fields\.CONTACT_ID must be >= 1/],
      ['a text entry in CONTACT_IDS', '{"fields":{"CONTACT_IDS":[1010,"x"]}}', /fields\.CONTACT_IDS\.1 must match pattern/],
      ['an amount with a decimal comma', '{"fields":{"OPPORTUNITY":"12,5"}}', /fields\.OPPORTUNITY must be number/],
      ['a phone entry without VALUE', '{"fields":{"PHONE":[{"VALUE_TYPE":"WORK"}]}}', /fields\.PHONE\.0 must have required property 'VALUE'/],
      ['a phone as plain text', '{"fields":{"PHONE":"555888"}}', /fields\.PHONE must be array/],
      [
        'REGISTER_SONET_EVENT outside Y/N',
        '{"fields":{},"params":{"REGISTER_SONET_EVENT":"yes"}}',
        /params\.REGISTER_SONET_EVENT must be equal to one of the allowed values: Y, N/,
      ],
      ['malformed JSON', '{"fields":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body with a text user id', 'fields[ASSIGNED_BY_ID]=abc', /fields\.ASSIGNED_BY_ID must match pattern/, FORM],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
