import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBitrix24Client, isBitrix24Error } from '../../src/index.js';
import { sandboxHandlers } from '../../src/msw.js';
import { createSandbox } from '../../src/node/sandbox.js';
import { postJson, send } from '../support/contract-answer.js';

const PORTAL = 'https://example.bitrix24.com';
const WEBHOOK = `${PORTAL}/rest/1/msw-code/`;
const ITEMS_GET = 'crm.lead.contact.items.get';

const sandbox = createSandbox();
const server = setupServer(...sandboxHandlers(sandbox));
// Made before server.listen() replaces the global fetch, as a module-level client in an app is.
const madeBeforeListen = createBitrix24Client({ webhookUrl: WEBHOOK, retry: false });

const unhandled: string[] = [];
/** Any request the handlers do not answer fails without reaching the network. */
function refuse(request: Request): never {
  unhandled.push(new URL(request.url).pathname);
  throw new Error('not handled');
}
// msw 3 (where vitest.config.ts runs this file with it) renamed the option and passes `{ frame }`.
const onUnhandled = { onUnhandledRequest: refuse, onUnhandledFrame: ({ frame }: { frame: { data: { request: Request } } }) => refuse(frame.data.request) };
beforeAll(() => server.listen(onUnhandled));
beforeEach(() => sandbox.reset());
afterAll(() => server.close());

describe('sandboxHandlers with msw/node', () => {
  it('answers the real client, with its default global fetch, from the sandbox state', async () => {
    const client = createBitrix24Client({ webhookUrl: WEBHOOK, retry: false });
    expect(await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020, IS_PRIMARY: 'Y' } })).toBe(true);
    expect(await client.crm.lead.contact.items.get({ id: 2 })).toEqual([{ CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
    expect(sandbox.calls.map((call) => [call.method, call.status])).toEqual([
      ['crm.lead.contact.add', 200],
      [ITEMS_GET, 200],
    ]);
  });

  it('answers a client made before server.listen(): the client looks the global fetch up at each request', async () => {
    expect(await madeBeforeListen.crm.lead.contact.items.get({ id: 1 })).toHaveLength(2);
    expect(sandbox.calls.map((call) => call.method)).toEqual([ITEMS_GET]);
  });

  it('answers an OAuth client, and a batch with references', async () => {
    const client = createBitrix24Client({ portal: 'example.bitrix24.com', accessToken: 'token', retry: false });
    expect(await client.crm.lead.contact.items.get({ id: 1 })).toHaveLength(2);
    const batch = await postJson(
      `${PORTAL}/rest/batch`,
      {
        auth: 'token',
        cmd: { links: 'crm.lead.contact.items.get?id=1', copy: 'crm.lead.contact.add?id=2&fields[CONTACT_ID]=$result[links][0][CONTACT_ID]' },
      },
      'batch',
    );
    expect(batch.body.result.result).toEqual({ links: expect.any(Array), copy: true });
    expect(sandbox.lead(2)?.contacts).toEqual([{ CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' }]);
  });

  it('answers every URL form under */rest/* on any origin, documented errors included', async () => {
    const forms = [
      `${WEBHOOK}${ITEMS_GET}.json`,
      `${WEBHOOK}${ITEMS_GET}/`,
      `${PORTAL}/rest/${ITEMS_GET}?auth=t`,
      `${PORTAL}/rest//${ITEMS_GET}?auth=t`,
      `http://localhost:8080/rest/1/other/${ITEMS_GET}?x=1`,
    ];
    for (const url of forms) expect((await postJson(url, { id: 1 }, ITEMS_GET)).body.result).toHaveLength(2);
    const get = await send(`${WEBHOOK}${ITEMS_GET}?id=1`, {}, ITEMS_GET);
    expect(get.body.result).toHaveLength(2);
    const missing = await postJson(`${WEBHOOK}${ITEMS_GET}`, { id: 404 }, ITEMS_GET);
    expect([missing.status, missing.body.error]).toEqual([400, 'NOT_FOUND']);
  });

  it('passes injected faults through to the client as a Bitrix24Error', async () => {
    sandbox.fail('crm.lead.contact.add', 'queryLimitExceeded');
    const client = createBitrix24Client({ webhookUrl: WEBHOOK, retry: false });
    const error = await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } }).catch((e: unknown) => e);
    expect(isBitrix24Error(error) && [error.status, error.code]).toEqual([503, 'QUERY_LIMIT_EXCEEDED']);
  });

  it('caps the body it reads: an oversized one is answered 413', async () => {
    server.use(...sandboxHandlers(sandbox, { maxBodyBytes: 1024 }));
    try {
      const answer = await send(`${WEBHOOK}${ITEMS_GET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"id":1,"x":"${'a'.repeat(2048)}"}`,
      });
      expect([answer.status, answer.body.error]).toEqual([413, 'REQUEST_ENTITY_TOO_LARGE']);
    } finally {
      server.resetHandlers();
    }
  });

  it('answers past the sandbox answer cap with the same 400 as every front (issue 22)', async () => {
    const titles = { leads: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, fields: { TITLE: '\u0001'.repeat(200) } })), contacts: [1] };
    server.use(...sandboxHandlers(createSandbox({ seed: titles, limits: { maxAnswerBytes: 32 * 1024 } })));
    try {
      const answer = await postJson(`${WEBHOOK}crm.lead.list`, { select: ['TITLE'], start: -1 }, 'crm.lead.list');
      expect([answer.status, answer.body.error]).toEqual([400, '']);
      expect(answer.body.error_description).toContain('limits.maxAnswerBytes');
    } finally {
      server.resetHandlers();
    }
  });

  it('leaves requests outside /rest/ to other handlers', async () => {
    await fetch(`${PORTAL}/marketplace/`).catch(() => undefined);
    expect(unhandled).toEqual(['/marketplace/']);
  });
});
