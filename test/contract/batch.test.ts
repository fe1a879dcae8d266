import { describe, expect, it } from 'vitest';
import { batch, Bitrix24Error, cmd, encodeCommand } from '../../src/index.js';
import { mockClient, mockUrl, WEBHOOK_CODE } from '../support/helpers.js';

const METHOD = 'batch';
const URL_PATH = () => `${mockUrl()}/rest/1/${WEBHOOK_CODE}/${METHOD}`;
/** The commands of the contract's examples (link_1010, link_1011), as typed commands. */
const twoLinks = {
  link_1010: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } }),
  link_1011: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1011, SORT: 20 } }),
};

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(URL_PATH(), { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: response.status, body: await response.json() };
}

describe(METHOD, () => {
  describe('typed batch through the client', () => {
    it('links two contacts and returns each result under its key', async () => {
      const out = await batch(mockClient(), twoLinks);
      expect(out).toMatchObject({ link_1010: { ok: true, result: true }, link_1011: { ok: true, result: true } });
    });

    it('also works through the OAuth URL with the token in the body', async () => {
      const out = await batch(mockClient({ oauth: true }), twoLinks);
      expect(out.link_1010.ok).toBe(true);
    });

    it('returns a failed command as a typed Bitrix24Error and keeps the other result', async () => {
      const out = await batch(mockClient({ prefer: 'code=200, example=batchOneFailed' }), twoLinks);
      expect(out.link_1010).toMatchObject({ ok: true, result: true });
      expect(out.link_1011.ok).toBe(false);
      if (out.link_1011.ok) return;
      expect(out.link_1011.error).toBeInstanceOf(Bitrix24Error);
      expect(out.link_1011.error).toMatchObject({ code: 'NOT_FOUND', description: 'Not found.', method: 'crm.lead.contact.add' });
    });

    it('reports the commands halt skipped as BATCH_HALTED', async () => {
      const out = await batch(mockClient({ prefer: 'code=200, example=batchHalted' }), twoLinks, { halt: true });
      expect(out.link_1010).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(out.link_1011).toMatchObject({ ok: false, error: { code: 'BATCH_HALTED' } });
    });

    it('reads a command list answered with JSON arrays', async () => {
      const out = await batch(mockClient({ prefer: 'code=200, example=batchListResult' }), [twoLinks.link_1010, twoLinks.link_1011]);
      expect(out).toMatchObject([
        { ok: true, result: true },
        { ok: true, result: true },
      ]);
    });

    it('reads the per-command forms of the batch errors', async () => {
      const over = await batch(mockClient({ prefer: 'code=200, example=batchCommandsOverLimit' }), { c1: twoLinks.link_1010, c51: twoLinks.link_1011 });
      expect(over.c51).toMatchObject({ ok: false, error: { code: 'ERROR_BATCH_LENGTH_EXCEEDED' } });
      const nested = await batch(mockClient({ prefer: 'code=200, example=batchNestedBatchRefused' }), {
        link_1010: twoLinks.link_1010,
        inner: twoLinks.link_1011,
      });
      expect(nested.inner).toMatchObject({ ok: false, error: { code: 'ERROR_BATCH_METHOD_NOT_ALLOWED' } });
    });

    it.each([
      [400, 'batchLengthExceeded', 'ERROR_BATCH_LENGTH_EXCEEDED'],
      [405, 'batchMethodNotAllowed', 'ERROR_BATCH_METHOD_NOT_ALLOWED'],
      [503, 'queryLimitExceeded', 'QUERY_LIMIT_EXCEEDED'],
    ])('rejects with a Bitrix24Error when the whole request fails (%i %s)', async (status, example, code) => {
      const client = mockClient({ prefer: `code=${status}, example=${example}` });
      await expect(batch(client, twoLinks, { retry: false })).rejects.toMatchObject({ status, code, method: METHOD });
    });

    it('the mock accepts the client’s encoding of awkward values', async () => {
      const line = encodeCommand('crm.lead.add', { fields: { TITLE: 'John&Martin #1 [x] 100% a+b Привет' } });
      await expect(mockClient().call(METHOD, { halt: 0, cmd: { awkward: line } })).resolves.toMatchObject({ result: expect.anything() });
    });
  });

  describe('requests as Bitrix24 documents them', () => {
    it.each([
      ['named commands with halt 0', { halt: 0, cmd: { get_user: 'user.current', get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]' } }],
      ['a command list with halt true', { halt: true, cmd: ['crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010'] }],
      ['no halt', { cmd: { a: 'crm.lead.contact.fields' } }],
    ])('%s gets 200', async (_case, body) => {
      const answer = await post(JSON.stringify(body));
      expect(answer.status).toBe(200);
      expect(answer.body.result).toHaveProperty('result_error');
    });

    it('a form body with cmd[id] fields and halt=1 gets 200', async () => {
      const answer = await post(
        `halt=1&cmd[link]=${encodeURIComponent('crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010')}`,
        'application/x-www-form-urlencoded',
      );
      expect(answer.status).toBe(200);
    });

    it.each([
      ['missing cmd', '{"halt":0}', /required property 'cmd'/],
      ['an empty cmd', '{"cmd":{}}', /cmd must NOT have fewer than 1 properties/],
      ['halt outside boolean/0/1', '{"halt":2,"cmd":{"a":"crm.lead.contact.fields"}}', /halt must be boolean/],
      ['a command with a raw #', '{"cmd":{"a":"crm.lead.add?fields[TITLE]=a#b"}}', /cmd\.a must match pattern/],
      ['a command that is not a string', '{"cmd":{"a":{"method":"crm.lead.contact.fields"}}}', /cmd\.a must be string/],
    ])('%s gets a 400 naming the problem', async (_case, body, rule) => {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('');
      expect(answer.body.error_description).toMatch(rule);
    });
  });
});
