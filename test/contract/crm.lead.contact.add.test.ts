import { describe, expect, it } from 'vitest';
import { Bitrix24Error } from '../../src/index.js';
import { documentedErrors, mockClient, mockUrl, WEBHOOK_CODE } from '../helpers.js';

const METHOD = 'crm.lead.contact.add';
/** The request of the official page's own cURL example. */
const seedRequest = { id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } } as const;

async function post(path: string, body: string | undefined, contentType = 'application/json') {
  const response = await fetch(`${mockUrl()}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: response.status, body: await response.json() };
}

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
      const { data, error, response } = await mockClient().raw.POST('/crm.lead.contact.add', { body: seedRequest });
      expect(response.status).toBe(200);
      expect(error).toBeUndefined();
      expect(data?.result).toBe(true);
      expect(data?.time.date_start).toMatch(/^\d{4}-\d\d-\d\dT/);
    });
  });

  describe('documented errors', () => {
    const errors = documentedErrors(METHOD);

    it('the contract documents the method errors, every system error and the operating-time limit', () => {
      const codes = new Set(errors.map((e) => e.body.error));
      for (const code of ['NOT_FOUND', 'ACCESS_DENIED', '', 'OPERATION_TIME_LIMIT', 'QUERY_LIMIT_EXCEEDED', 'expired_token', 'PORTAL_DELETED']) {
        expect(codes).toContain(code);
      }
      expect(errors.length).toBeGreaterThanOrEqual(20);
    });

    it.each(errors.map((e) => [`${e.status} ${e.name}`, e] as const))(
      '%s reaches the caller as a typed Bitrix24Error',
      async (_label, documented) => {
        const client = mockClient({ prefer: `code=${documented.status}, example=${documented.name}` });
        const failure = await client.crm.lead.contact.add(seedRequest).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(Bitrix24Error);
        expect(failure).toMatchObject({
          status: documented.status,
          code: documented.body.error,
          description: documented.body.error_description,
          method: METHOD,
        });
        expect(JSON.stringify(failure)).not.toContain(WEBHOOK_CODE);
      },
    );
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    const invalid: Array<[string, string | undefined, RegExp]> = [
      ['missing id', '{"fields":{"CONTACT_ID":1010}}', /required property 'id'/],
      ['missing fields', '{"id":1}', /required property 'fields'/],
      ['missing fields.CONTACT_ID', '{"id":1,"fields":{"SORT":10}}', /fields must have required property 'CONTACT_ID'/],
      ['CONTACT_ID as text', '{"id":1,"fields":{"CONTACT_ID":"abc"}}', /fields\.CONTACT_ID must be integer/],
      ['IS_PRIMARY outside Y/N', '{"id":1,"fields":{"CONTACT_ID":1010,"IS_PRIMARY":"X"}}', /fields\.IS_PRIMARY must be equal to one of the allowed values: Y, N/],
      ['IS_PRIMARY as a JSON boolean', '{"id":1,"fields":{"CONTACT_ID":1010,"IS_PRIMARY":true}}', /fields\.IS_PRIMARY must be string/],
      ['id below 1', '{"id":0,"fields":{"CONTACT_ID":1010}}', /id must be >= 1/],
      ['unknown field', '{"id":1,"fields":{"CONTACT_ID":1010,"COMMENT":"x"}}', /fields must NOT have additional properties; found 'COMMENT'/],
      ['malformed JSON', '{"id":1,"fields":', /not valid JSON/],
      ['empty body', undefined, /body is empty/],
    ];

    it.each(invalid)('%s', async (_case, body, rule) => {
      const answer = await post(`/rest/1/${WEBHOOK_CODE}/${METHOD}`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('');
      expect(answer.body.error_description).toMatch(rule);
    });

    it('a bracket-nested form body is validated the same way', async () => {
      const answer = await post(`/rest/1/${WEBHOOK_CODE}/${METHOD}`, 'id=1&fields[CONTACT_ID]=abc', 'application/x-www-form-urlencoded');
      expect(answer.status).toBe(400);
      expect(answer.body.error_description).toMatch(/fields\.CONTACT_ID must be integer/);
    });

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
    const json = JSON.stringify(seedRequest);
    const form = 'id=1&fields[CONTACT_ID]=1010&fields[SORT]=10&fields[IS_PRIMARY]=Y';
    const forms: Array<[string, RequestInit & { path: string }]> = [
      ['webhook', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}`, method: 'POST', body: json }],
      ['webhook with .json suffix', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}.json`, method: 'POST', body: json }],
      ['webhook with a trailing slash', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}/`, method: 'POST', body: json }],
      ['webhook with tracking query parameters', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}?utm_source=crm&trace_id=42`, method: 'POST', body: json }],
      ['OAuth with auth in the body', { path: `/rest/${METHOD}`, method: 'POST', body: JSON.stringify({ ...seedRequest, auth: 'token-1234' }) }],
      ['OAuth with auth in the query', { path: `/rest/${METHOD}.json?auth=token-1234`, method: 'POST', body: json }],
      ['form-encoded body', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}`, method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
      ['GET with everything in the query string', { path: `/rest/1/${WEBHOOK_CODE}/${METHOD}?${form}&utm_source=crm`, method: 'GET' }],
      ['GET in the OAuth form', { path: `/rest/${METHOD}?${form}&auth=token-1234`, method: 'GET' }],
      ['the bare method path', { path: `/${METHOD}`, method: 'POST', body: json }],
    ];

    it.each(forms)('%s gets the documented 200', async (_form, { path, ...init }) => {
      const headers = { 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) };
      const response = await fetch(`${mockUrl()}${path}`, { ...init, headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ result: true, time: { start: expect.any(Number) } });
    });

    it('the OAuth form without a token gets 401 NO_AUTH_FOUND', async () => {
      const answer = await post(`/rest/${METHOD}`, json);
      expect(answer).toMatchObject({ status: 401, body: { error: 'NO_AUTH_FOUND' } });
    });

    it('a method outside the contract gets 404 ERROR_METHOD_NOT_FOUND', async () => {
      const answer = await post(`/rest/1/${WEBHOOK_CODE}/crm.lead.contact.nothing`, json);
      expect(answer).toMatchObject({ status: 404, body: { error: 'ERROR_METHOD_NOT_FOUND' } });
    });
  });
});
