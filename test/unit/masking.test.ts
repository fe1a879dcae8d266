// Issue 11, defect 8: a batch command's `error` code echoing the token showed it in the error's code,
// message, stack and JSON; and only the raw and percent-encoded spellings of a secret were masked.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bulk, batch, cmd, createBitrix24Client, type BatchOutcome, type Bitrix24Error } from '../../src/index.js';
import { leaks, spellings } from '../support/secret-spellings.js';

// Characters that each encoding writes differently: a space, `/`, `+`, `"`, `\`, `%`, non-ASCII.
const TOKEN = 'tok en/+"\\%é€-9f3a';
const CODE = 'hook-code-7d1c9e2b';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const TIME = { start: 1, finish: 1, duration: 0, date_start: '2024-05-03T17:19:01+03:00', date_finish: '2024-05-03T17:19:01+03:00' };

function surfaces(error: Bitrix24Error): string {
  return [
    error.code,
    error.description,
    error.method,
    error.message,
    String(error.stack),
    JSON.stringify(error),
    inspect(error, { depth: null, showHidden: true }),
  ].join('\n');
}

function expectMasked(error: Bitrix24Error, secret: string) {
  const all = surfaces(error);
  expect(leaks(all, secret)).toEqual([]);
  expect(all).toContain('***');
}

const oauth = (respond: () => Response) =>
  createBitrix24Client({ portal: 'example.bitrix24.com', accessToken: TOKEN, fetch: async () => respond(), rateLimit: false, retry: false });

describe('batch command errors mask the secrets in their code, description and every surface', () => {
  it.each(spellings)('the token echoed %s', async (_name, spell) => {
    const echoed = spell(TOKEN);
    const client = oauth(() =>
      json({ result: { result: {}, result_error: { a: { error: `BAD_${echoed}`, error_description: `Token ${echoed} refused` } } }, time: TIME }),
    );
    const out = await batch(client, { a: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }) });
    const outcome = out.a as BatchOutcome<boolean>;
    if (outcome.ok) return expect.unreachable('the command should fail');
    expect(outcome.error.code).toBe('BAD_***');
    expectMasked(outcome.error, TOKEN);
  });

  it('masks the webhook code in a bulk run too', async () => {
    const fetch = async () =>
      json({ result: { result: {}, result_error: { 0: { error: CODE, error_description: encodeURIComponent(`/rest/1/${CODE}/`) } } }, time: TIME });
    const client = createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, fetch, rateLimit: false });
    const [outcome] = await bulk(client, [cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })]);
    if (outcome!.ok) return expect.unreachable('the command should fail');
    expectMasked(outcome!.error, CODE);
  });
});

describe('call errors mask the secrets in every spelling', () => {
  it.each(spellings)('the token echoed %s in the code and description of an error answer', async (_name, spell) => {
    const echoed = spell(TOKEN);
    const error = (await oauth(() => json({ error: `E_${echoed}`, error_description: `auth=${echoed}` }, 400))
      .crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })
      .catch((e: unknown) => e)) as Bitrix24Error;
    expect(error.code).toBe('E_***');
    expectMasked(error, TOKEN);
  });

  it.each(spellings)('the token echoed %s in a network failure', async (_name, spell) => {
    const client = createBitrix24Client({
      portal: 'example.bitrix24.com',
      accessToken: TOKEN,
      rateLimit: false,
      retry: false,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error(`socket closed while sending ${spell(TOKEN)}`) });
      },
    });
    const error = (await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }).catch((e: unknown) => e)) as Bitrix24Error;
    expect(error.code).toBe('NETWORK_ERROR');
    expectMasked(error, TOKEN);
  });
});
