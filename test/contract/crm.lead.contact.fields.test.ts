import { describe, expect, it } from 'vitest';
import {
  documentedErrors,
  itAnswersEveryUrlForm,
  itRaisesEveryDocumentedError,
  itRejectsInvalidRequests,
  mockClient,
  postRaw,
  webhookPath,
} from '../support/helpers.js';

const METHOD = 'crm.lead.contact.fields';

describe(METHOD, () => {
  describe('success', () => {
    it('describes the three link fields when called without parameters', async () => {
      const fields = await mockClient().crm.lead.contact.fields();
      expect(Object.keys(fields).sort()).toEqual(['CONTACT_ID', 'IS_PRIMARY', 'SORT']);
      expect(fields.CONTACT_ID).toMatchObject({ type: 'integer', isRequired: true, isReadOnly: false, title: 'Contact' });
      expect(fields.IS_PRIMARY).toMatchObject({ type: 'char', isRequired: false });
    });

    it('takes an empty parameter object and the OAuth form', async () => {
      await expect(mockClient().crm.lead.contact.fields({})).resolves.toHaveProperty('SORT.type', 'integer');
      await expect(mockClient({ oauth: true }).crm.lead.contact.fields()).resolves.toHaveProperty('SORT.type', 'integer');
    });

    it('accepts a webhook call with no body at all', async () => {
      const answer = await postRaw(webhookPath(METHOD), undefined);
      expect(answer.status).toBe(200);
      expect(answer.body.result.CONTACT_ID.isRequired).toBe(true);
    });
  });

  describe('documented errors', () => {
    it('the contract documents only system errors and the operating-time limit', () => {
      const codes = new Set(documentedErrors(METHOD).map((e) => e.body.error));
      expect(codes).toContain('OPERATION_TIME_LIMIT');
      expect(codes).toContain('INVALID_REQUEST');
      for (const methodCode of ['NOT_FOUND', '']) expect(codes).not.toContain(methodCode);
    });

    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.fields());
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['auth as a number', '{"auth":1234}', /auth must be string/],
      ['auth as an empty string', '{"auth":""}', /auth must NOT have fewer than 1 characters/],
      ['a JSON array instead of an object', '[]', /must be a JSON object of parameters/],
      ['malformed JSON', '{"auth":', /not valid JSON/],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, {});
  });
});
