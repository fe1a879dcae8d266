import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../helpers.js';

const METHOD = 'crm.contact.update';
const seedRequest: MethodParams<'crm.contact.update'> = {
  id: 1010,
  fields: { POST: 'Head of purchasing', EMAIL: [{ VALUE: 'j.smith@example.org', VALUE_TYPE: 'HOME' }] },
};

describe(METHOD, () => {
  describe('success', () => {
    it('changes the contact and answers true', async () => {
      await expect(mockClient().crm.contact.update(seedRequest)).resolves.toBe(true);
      await expect(mockClient({ oauth: true }).crm.contact.update(seedRequest)).resolves.toBe(true);
    });

    it('takes multiple-field edits: add, change by ID, remove by DELETE, empty VALUE or a bare ID', async () => {
      const PHONE = [
        { VALUE: '555000' },
        { ID: 11658, VALUE: '555999', VALUE_TYPE: 'MOBILE' },
        { ID: '11659', DELETE: 'Y' as const },
        { ID: 11660, VALUE: '' },
        { ID: 11661 },
      ];
      await expect(mockClient().crm.contact.update({ id: 1, fields: { PHONE } })).resolves.toBe(true);
    });

    it('reads a form body with bracket nesting', async () => {
      const body = 'id=1&fields[PHONE][0][ID]=11658&fields[PHONE][0][DELETE]=Y&params[REGISTER_SONET_EVENT]=N';
      await expect(postRaw(webhookPath(METHOD), body, 'application/x-www-form-urlencoded')).resolves.toMatchObject({ status: 200, body: { result: true } });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.update(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{"fields":{}}', /must have required property 'id'/],
      ['missing fields', '{"id":1}', /must have required property 'fields'/],
      ['id below 1', '{"id":0,"fields":{}}', /id must be >= 1/],
      ['fields as an array', '{"id":1,"fields":[]}', /fields must be object/],
      ['params as text', '{"id":1,"fields":{},"params":"Y"}', /params must be object/],
      ['OPENED as a JSON boolean', '{"id":1,"fields":{"OPENED":true}}', /fields\.OPENED must be equal to one of the allowed values: Y, N/],
      ['a new phone entry without VALUE', '{"id":1,"fields":{"PHONE":[{"VALUE_TYPE":"WORK"}]}}', /fields\.PHONE\.0 must have required property 'VALUE'/],
      [
        'DELETE as a JSON boolean',
        '{"id":1,"fields":{"PHONE":[{"ID":1,"DELETE":true}]}}',
        /fields\.PHONE\.0\.DELETE must be equal to one of the allowed values: Y, N/,
      ],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
