// Issue 11, defect 9: parameters that cannot be encoded, or a redirect to an unparsable address, used
// to come back as NETWORK_ERROR with retryable: true and were retried with backoff, though the first
// never left the client (or the portal had already answered).
import { afterEach, describe, expect, it } from 'vitest';
import { bulk, batch, cmd, createBitrix24Client, isBitrix24Error, type AnyBatchCommand, type Bitrix24Error } from '../../src/index.js';
import type { AttemptEvent, RetryEvent } from '../../src/index.js';
import { fakeClock, ok, sendJson, startFaultServer, type Script } from '../support/fault-server.js';

const CODE = 'localfaultcode5150';
let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function setup(script: Script = (_req, res) => sendJson(res, 200, ok()), path = '') {
  const server = await startFaultServer(script);
  close = server.close;
  const clock = fakeClock();
  const events = { attempts: [] as AttemptEvent[], retries: [] as RetryEvent[] };
  const client = createBitrix24Client({
    webhookUrl: `${server.origin}${path}/rest/1/${CODE}/`,
    allowInsecureHttp: true,
    now: clock.now,
    sleep: clock.sleep,
    hooks: { onAttempt: (e) => events.attempts.push(e), onRetry: (e) => events.retries.push(e) },
  });
  return { ...server, client, clock, events };
}

const fails = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call should fail'),
    (error: unknown) => error as Bitrix24Error,
  );

function circular() {
  const fields: Record<string, unknown> = { CONTACT_ID: 1010 };
  fields.self = fields;
  return { id: 1, fields };
}

describe('parameters that cannot be encoded fail once, at once, as INVALID_PARAMS', () => {
  it.each([
    ['a circular structure', circular, /circular/],
    ['a BigInt', () => ({ id: 1n, fields: { CONTACT_ID: 1010 } }), /BigInt/],
    [
      'a toJSON that throws',
      () => ({
        id: 1,
        fields: {
          CONTACT_ID: 1010,
          toJSON: () => {
            throw new Error('no JSON form');
          },
        },
      }),
      /no JSON form/,
    ],
  ])('%s: nothing is sent, nothing is retried', async (_case, params, reason) => {
    const t = await setup();
    const error = await fails(t.client.crm.lead.contact.add(params() as never));
    expect(isBitrix24Error(error)).toBe(true);
    expect(error).toMatchObject({ status: 0, code: 'INVALID_PARAMS', retryable: false, method: 'crm.lead.contact.add' });
    expect(error.description).toMatch(reason);
    expect(t.seen).toHaveLength(0);
    expect(t.events.retries).toHaveLength(0);
    expect(t.clock.waits).toEqual([]);
  });

  it.each([
    ['a circular structure', () => cmd.crm.lead.contact.add(circular() as never), /command a \(crm\.lead\.contact\.add\).*circular/],
    [
      'broken Unicode',
      () => cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, SORT: 'x\uD800' as never } }),
      /fields\[SORT\].*lone UTF-16 surrogate/,
    ],
    ['NaN', () => cmd.crm.lead.contact.add({ id: Number.NaN, fields: { CONTACT_ID: 1010 } }), /Cannot encode id/],
  ])('a batch command with %s: the batch is not sent', async (_case, command, reason) => {
    const t = await setup();
    for (const run of [() => batch(t.client, { a: command() as AnyBatchCommand }), () => bulk(t.client, { a: command() as AnyBatchCommand })]) {
      const error = await fails(run());
      expect(error).toMatchObject({ status: 0, code: 'INVALID_PARAMS', retryable: false, method: 'batch' });
      expect(error.description).toMatch(reason);
    }
    expect(t.seen).toHaveLength(0);
  });
});

describe('a redirect to an address that is not a URL fails once as INVALID_REDIRECT', () => {
  it.each(['http://[::1', 'https://exa mple.com/', 'http://host:99999/'])('Location: %s', async (location) => {
    const t = await setup((_req, res) => res.writeHead(302, { Location: location }).end());
    const error = await fails(t.client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }));
    expect(error).toMatchObject({ status: 302, code: 'INVALID_REDIRECT', retryable: false });
    expect(t.seen).toHaveLength(1);
    expect(t.events.retries).toHaveLength(0);
    expect(t.clock.waits).toEqual([]);
  });
});
