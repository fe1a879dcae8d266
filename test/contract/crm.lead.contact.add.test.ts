import { describe, expect, it } from 'vitest';
import { rawClient } from '../../src/index.js';
import {
  documentedErrors,
  itAnswersEveryUrlForm,
  itRaisesEveryDocumentedError,
  itRejectsInvalidRequests,
  mockClient,
  postRaw,
  webhookPath,
} from '../support/helpers.js';

const METHOD = 'crm.lead.contact.add';
/** The request of the official page's own cURL example. */
const seedRequest = { id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } } as const;

describe(METHOD, () => {
  describe('success', () => {
    it('links a contact through the webhook URL and returns the boolean result', async () => {
      await expect(mockClient().crm.lead.contact.add(seedRequest)).resolves.toBe(true);
    });

    it('links a contact through the OAuth URL with the token in the body', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.contact.add(seedRequest)).resolves.toBe(true);
    });

    it('returns false when Bitrix24 reports that nothing changed', async () => {
      const client = mockClient({ prefer: 'code=200, example=nothingChanged' });
      await expect(client.crm.lead.contact.add(seedRequest)).resolves.toBe(false);
    });

    it('keeps the raw openapi-fetch client for { data, error } use', async () => {
      const { data, error, response } = await rawClient(mockClient()).POST('/crm.lead.contact.add', { body: seedRequest });
      expect(response.status).toBe(200);
      expect(error).toBeUndefined();
      expect(data?.result).toBe(true);
      expect(data?.time.date_start).toMatch(/^\d{4}-\d\d-\d\dT/);
    });
  });

  describe('documented errors', () => {
    it('the contract documents the method errors, every system error and the operating-time limit', () => {
      const codes = new Set(documentedErrors(METHOD).map((e) => e.body.error));
      for (const code of ['NOT_FOUND', 'ACCESS_DENIED', '', 'OPERATION_TIME_LIMIT', 'QUERY_LIMIT_EXCEEDED', 'expired_token', 'PORTAL_DELETED']) {
        expect(codes).toContain(code);
      }
      expect(documentedErrors(METHOD).length).toBeGreaterThanOrEqual(20);
    });

    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.contact.add(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing id', '{"fields":{"CONTACT_ID":1010}}', /required property 'id'/],
      ['missing fields', '{"id":1}', /required property 'fields'/],
      ['missing fields.CONTACT_ID', '{"id":1,"fields":{"SORT":10}}', /fields must have required property 'CONTACT_ID'/],
      ['CONTACT_ID as text', '{"id":1,"fields":{"CONTACT_ID":"abc"}}', /fields\.CONTACT_ID must be integer/],
      [
        'IS_PRIMARY outside Y/N',
        '{"id":1,"fields":{"CONTACT_ID":1010,"IS_PRIMARY":"X"}}',
        /fields\.IS_PRIMARY must be equal to one of the allowed values: Y, N/,
      ],
      ['IS_PRIMARY as a JSON boolean', '{"id":1,"fields":{"CONTACT_ID":1010,"IS_PRIMARY":true}}', /fields\.IS_PRIMARY must be string/],
      ['id below 1', '{"id":0,"fields":{"CONTACT_ID":1010}}', /id must be >= 1/],
      ['unknown field', '{"id":1,"fields":{"CONTACT_ID":1010,"COMMENT":"x"}}', /fields must NOT have additional properties; found 'COMMENT'/],
      ['malformed JSON', '{"id":1,"fields":', /not valid JSON/],
      ['empty body', undefined, /must have required property 'id'/],
      ['a bracket-nested form body with a text id', 'id=1&fields[CONTACT_ID]=abc', /fields\.CONTACT_ID must be integer/, 'application/x-www-form-urlencoded'],
      [
        'a bracket-nested form body with an unknown field',
        'id=1&fields[CONTACT_ID]=1010&fields[COMMENT]=x',
        /found 'COMMENT'/,
        'application/x-www-form-urlencoded',
      ],
    ]);

    it('the client surfaces the 400 as a Bitrix24Error with the description', async () => {
      const bad = { id: 1, fields: { CONTACT_ID: 'abc' } } as never;
      await expect(mockClient().crm.lead.contact.add(bad)).rejects.toMatchObject({
        status: 400,
        code: '',
        description: expect.stringMatching(/CONTACT_ID must be integer/),
      });
    });
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);

    it('a method outside the contract gets 404 ERROR_METHOD_NOT_FOUND', async () => {
      const answer = await postRaw(webhookPath('crm.lead.contact.nothing'), JSON.stringify(seedRequest));
      expect(answer).toMatchObject({ status: 404, body: { error: 'ERROR_METHOD_NOT_FOUND' } });
    });
  });
});
