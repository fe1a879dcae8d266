import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../support/helpers.js';

const METHOD = 'crm.contact.add';
/** The contract's `newContact` example, shortened. */
const seedRequest: MethodParams<'crm.contact.add'> = {
  fields: {
    NAME: 'Maria',
    LAST_NAME: 'Lopez',
    TYPE_ID: 'CLIENT',
    OPENED: 'Y',
    ASSIGNED_BY_ID: '1',
    EMAIL: [{ VALUE: 'maria.lopez@example.org', VALUE_TYPE: 'WORK' }],
  },
  params: { REGISTER_SONET_EVENT: 'N' },
};
const FORM = 'application/x-www-form-urlencoded';

describe(METHOD, () => {
  describe('success', () => {
    it('creates a contact through the webhook URL and returns its id as a number', async () => {
      await expect(mockClient().crm.contact.add(seedRequest)).resolves.toBe(1021);
    });

    it('creates a contact through the OAuth URL', async () => {
      await expect(mockClient({ oauth: true }).crm.contact.add({ fields: { NAME: 'Maria' } })).resolves.toBe(1021);
    });

    it('passes custom fields and options it does not know through unchecked', async () => {
      const request = { fields: { NAME: 'Maria', UF_CRM_1720697698689: 'newsletter', PARENT_ID_153: 12 }, params: { IMPORT: 'Y' } };
      await expect(mockClient().crm.contact.add(request)).resolves.toBe(1021);
    });

    it('reads a form body with multiple fields and a text company id', async () => {
      const body = 'fields[NAME]=Maria&fields[COMPANY_ID]=12&fields[EMAIL][0][VALUE]=maria.lopez%40example.org&fields[EMAIL][0][VALUE_TYPE]=WORK';
      await expect(postRaw(webhookPath(METHOD), body, FORM)).resolves.toMatchObject({ status: 200, body: { result: 1021 } });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.add(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing fields', '{}', /required property 'fields'/],
      ['fields as text', '{"fields":"Maria"}', /fields must be object/],
      ['an e-mail as plain text', '{"fields":{"EMAIL":"maria@example.org"}}', /fields\.EMAIL must be array/],
      ['an e-mail entry without VALUE', '{"fields":{"EMAIL":[{"VALUE_TYPE":"WORK"}]}}', /fields\.EMAIL\.0 must have required property 'VALUE'/],
      ['NAME as a number', '{"fields":{"NAME":42}}', /fields\.NAME must be string/],
      ['OPENED outside Y/N', '{"fields":{"OPENED":"yes"}}', /fields\.OPENED must be equal to one of the allowed values: Y, N/],
      ['a company id that is not a number', '{"fields":{"COMPANY_ID":"twelve"}}', /fields\.COMPANY_ID must match pattern/],
      ['params as an array', '{"fields":{},"params":[]}', /params must be object/],
      ['malformed JSON', '{"fields":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body with an e-mail as plain text', 'fields[NAME]=Maria&fields[EMAIL]=maria%40example.org', /fields\.EMAIL must be array/, FORM],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
