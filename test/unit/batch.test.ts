import { afterEach, describe, expect, it } from 'vitest';
import { Bitrix24Error, batch, bulk, cmd, createBitrix24Client, type AnyBatchCommand, type Bitrix24ClientOptions } from '../../src/index.js';
import type { RunningSandbox, StartSandboxOptions } from '../../src/node/sandbox.js';
import { startBucketPortal, tally, type Bucket } from '../support/bucket-portal.js';

const CODE = 'batchwebhookcode42';
const TIME = { start: 1, finish: 2, duration: 1, date_start: '2024-05-03T17:19:01+03:00', date_finish: '2024-05-03T17:19:01+03:00' };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const link = (contact: number, lead = 1) => cmd.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: contact } });

/** A client whose fetch records each request and answers with `respond`; no limiter, no retries. */
function observed(respond: (request: Request, index: number) => Response | Promise<Response>, options: Partial<Bitrix24ClientOptions> = {}) {
  const requests: Array<{ url: string; body: any }> = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push({ url: request.url, body: JSON.parse(await request.clone().text()) });
    return respond(request, requests.length - 1);
  };
  const client = createBitrix24Client({
    webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`,
    fetch,
    rateLimit: false,
    retry: false,
    ...options,
  } as Bitrix24ClientOptions);
  return { client, requests };
}

/** The batch part of a Bitrix24 answer. */
const answer = (parts: Record<string, unknown>) =>
  json({ result: { result: [], result_error: [], result_total: [], result_next: [], result_time: [], ...parts }, time: TIME });

const servers: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A sandbox portal on loopback (lead 1, contacts 1000–1199; no contact 404), closed after the test. */
async function server(options: StartSandboxOptions = {}, bucket?: Bucket) {
  const started = await startBucketPortal(bucket, options);
  servers.push(started);
  return started;
}

describe('batch(client, …)', () => {
  it('posts the encoded commands as JSON to {webhook}/batch with halt 0', async () => {
    const { client, requests } = observed(() => answer({ result: { a: true, b: true } }));
    await batch(client, { a: link(1010), b: cmd.crm.lead.contact.items.get({ id: 1 }) });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe(`https://example.bitrix24.com/rest/1/${CODE}/batch`);
    expect(requests[0]!.body).toEqual({
      halt: 0,
      cmd: { a: 'crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010', b: 'crm.lead.contact.items.get?id=1' },
    });
  });

  it('returns each command under its own key: results, and typed errors for the failed ones', async () => {
    const { client } = observed(() =>
      answer({
        result: { ok: true },
        result_error: { missing: { error: 'NOT_FOUND', error_description: 'Not found.' } },
        result_time: { ok: TIME },
      }),
    );
    const out = await batch(client, { ok: link(1010), missing: link(404) });
    expect(out.ok).toEqual({ ok: true, result: true, time: TIME });
    expect(out.missing.ok).toBe(false);
    if (out.missing.ok) return;
    expect(out.missing.error).toBeInstanceOf(Bitrix24Error);
    expect(out.missing.error).toMatchObject({ code: 'NOT_FOUND', description: 'Not found.', method: 'crm.lead.contact.add', status: 200, retryable: false });
  });

  it('reads result_total and result_next of list commands', async () => {
    const { client } = observed(() => answer({ result: { links: [] }, result_total: { links: 120 }, result_next: { links: 50 } }));
    const out = await batch(client, { links: cmd.crm.lead.contact.items.get({ id: 1 }) });
    expect(out.links).toMatchObject({ ok: true, result: [], total: 120, next: 50 });
  });

  it('takes a command list and answers with an array in the same order, also when Bitrix24 answers with JSON arrays', async () => {
    const { client, requests } = observed(() => answer({ result: [true, false] }));
    const out = await batch(client, [link(1010), link(1011)]);
    expect(requests[0]!.body.cmd).toEqual(['crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010', 'crm.lead.contact.add?id=1&fields[CONTACT_ID]=1011']);
    expect(out).toEqual([
      { ok: true, result: true },
      { ok: true, result: false },
    ]);
  });

  it('with halt, sends halt 1 and reports the commands Bitrix24 did not run as BATCH_HALTED', async () => {
    const local = await server();
    const client = createBitrix24Client({ webhookUrl: local.webhookUrl, allowInsecureHttp: true, rateLimit: false });
    const out = await batch(client, { first: link(1010), broken: link(404), never: link(1012) }, { halt: true });
    expect(out.first.ok).toBe(true);
    expect(out.broken).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(out.never).toMatchObject({ ok: false, error: { code: 'BATCH_HALTED', method: 'crm.lead.contact.add' } });
    const without = await batch(client, { first: link(1010), broken: link(404), never: link(1012) });
    expect(without.never.ok).toBe(true);
  });

  it('rejects with one Bitrix24Error when the batch request as a whole fails', async () => {
    const { client } = observed(() => json({ error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' }, 400));
    await expect(batch(client, { a: link(1010) })).rejects.toMatchObject({ status: 400, code: 'ERROR_BATCH_LENGTH_EXCEEDED', method: 'batch' });
  });

  it('refuses more than 50 commands and batch inside batch before sending anything', async () => {
    const { client, requests } = observed(() => answer({}));
    const many = Array.from({ length: 51 }, (_, i) => link(1000 + i));
    await expect(batch(client, many)).rejects.toThrow(RangeError);
    const nested = { method: 'batch', params: { cmd: {} } } as unknown as AnyBatchCommand;
    await expect(batch(client, { nested })).rejects.toThrow(/batch cannot run inside batch/);
    expect(requests).toHaveLength(0);
  });

  it('sends nothing for no commands', async () => {
    const { client, requests } = observed(() => answer({}));
    await expect(batch(client, {})).resolves.toEqual({});
    expect(requests).toHaveLength(0);
  });

  it('marks a command that is in no part of the answer as BATCH_NO_RESULT', async () => {
    const { client } = observed(() => answer({ result: { a: true } }));
    const out = await batch(client, { a: link(1), b: link(2) });
    expect(out.b).toMatchObject({ ok: false, error: { code: 'BATCH_NO_RESULT' } });
  });

  it.each([
    ['nothing failed: BATCH_NO_RESULT', { result: { a: true, c: true } }, { b: 'BATCH_NO_RESULT' }],
    [
      'an earlier command failed: BATCH_HALTED',
      { result: { a: true }, result_error: { b: { error: 'NOT_FOUND', error_description: '' } } },
      { c: 'BATCH_HALTED' },
    ],
    [
      'only a later command failed: BATCH_NO_RESULT',
      { result: { a: true }, result_error: { c: { error: 'NOT_FOUND', error_description: '' } } },
      { b: 'BATCH_NO_RESULT' },
    ],
  ])('regression (issue 22 #16): with halt, a command missing from the answer when %s', async (_name, parts, missing) => {
    const { client } = observed(() => answer(parts));
    const out = await batch(client, { a: link(1), b: link(2), c: link(3) }, { halt: true });
    for (const [key, code] of Object.entries(missing)) expect(out[key as 'a']).toMatchObject({ ok: false, error: { code } });
  });
});

describe('bulk(client, …)', () => {
  const keyed = (count: number, broken: number[] = []) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, link(broken.includes(i) ? 404 : 1000 + i)]));

  it('splits any number of commands into batches of 50, keeping keys, order and progress', async () => {
    const local = await server();
    const client = createBitrix24Client({ webhookUrl: local.webhookUrl, allowInsecureHttp: true, rateLimit: false });
    const progress: number[] = [];
    const out = await bulk(client, keyed(120, [77]), { onProgress: ({ done, total }) => progress.push(done / total) });
    expect(tally(local)).toEqual({ requests: 3, rejected: 0, batches: 3, commands: 120, largestBatch: 50 });
    expect(Object.keys(out)).toEqual(Object.keys(keyed(120)));
    expect(Object.values(out).filter((o) => o.ok)).toHaveLength(119);
    expect(out.k77).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(progress).toEqual([50 / 120, 100 / 120, 1]);
  });

  it('keeps the order of a command list across batches', async () => {
    const local = await server();
    const client = createBitrix24Client({ webhookUrl: local.webhookUrl, allowInsecureHttp: true, rateLimit: false });
    const out = await bulk(
      client,
      Array.from({ length: 130 }, (_, i) => cmd.crm.contact.get({ id: 1000 + i })),
    );
    expect(out.map((o) => (o.ok ? o.result.ID : null))).toEqual(Array.from({ length: 130 }, (_, i) => String(1000 + i)));
  });

  it('one failed batch request does not lose the results of the others', async () => {
    const { client, requests } = observed((request, index) =>
      index === 1
        ? json({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }, 500)
        : request.json().then((body: any) => answer({ result: Object.fromEntries(Object.keys(body.cmd).map((k) => [k, true])) })),
    );
    const out = await bulk(client, keyed(120));
    expect(requests).toHaveLength(3);
    const failed = Object.entries(out)
      .filter(([, o]) => !o.ok)
      .map(([k]) => k);
    expect(failed).toEqual(Array.from({ length: 50 }, (_, i) => `k${50 + i}`));
    expect(out.k60).toMatchObject({ ok: false, error: { code: 'INTERNAL_SERVER_ERROR', status: 500, method: 'batch' } });
    expect(out.k0!.ok && out.k119!.ok).toBe(true);
  });

  it('with halt, stops after the batch with the first failure', async () => {
    const local = await server();
    const client = createBitrix24Client({ webhookUrl: local.webhookUrl, allowInsecureHttp: true, rateLimit: false });
    const out = await bulk(client, keyed(150, [60]), { halt: true });
    expect(tally(local).requests).toBe(2);
    expect(out.k59!.ok).toBe(true);
    expect(out.k60).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(out.k61).toMatchObject({ ok: false, error: { code: 'BATCH_HALTED' } });
    expect(out.k149).toMatchObject({ ok: false, error: { code: 'BATCH_HALTED', status: 0 } });
  });

  it('stops when the signal aborts: what is done stays, the rest comes back as ABORTED', async () => {
    const local = await server();
    const client = createBitrix24Client({ webhookUrl: local.webhookUrl, allowInsecureHttp: true, rateLimit: false });
    const controller = new AbortController();
    const out = await bulk(client, keyed(200), { signal: controller.signal, onProgress: ({ done }) => done >= 100 && controller.abort() });
    expect(tally(local).requests).toBe(2);
    expect(Object.values(out).filter((o) => o.ok)).toHaveLength(100);
    expect(out.k100).toMatchObject({ ok: false, error: { code: 'ABORTED', status: 0 } });
  });

  it('aborts a batch request in flight and reports its commands as ABORTED', async () => {
    const controller = new AbortController();
    const { client } = observed(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
          setTimeout(() => controller.abort(), 5);
        }),
    );
    const out = await bulk(client, keyed(60), { signal: controller.signal });
    expect(out.k0).toMatchObject({ ok: false, error: { code: 'ABORTED', description: expect.stringMatching(/may or may not have run/) } });
    expect(out.k59).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });

  it('refuses a chunk size outside 1..50', async () => {
    const { client } = observed(() => answer({}));
    await expect(bulk(client, [link(1)], { chunkSize: 51 })).rejects.toThrow(RangeError);
  });
});

describe('bulk(client, …) against a portal that enforces the leaky bucket', () => {
  /** A shared virtual clock: the client's waits advance it, the server's bucket reads it. */
  function virtualTime() {
    let t = 0;
    return {
      now: () => t,
      sleep: async (ms: number, signal?: AbortSignal) => {
        if (signal?.aborted) throw signal.reason;
        t += ms;
      },
    };
  }
  const bucket = { drainPerSecond: 20, burst: 10 };
  const commands = Array.from({ length: 2_000 }, (_, i) => cmd.crm.lead.contact.items.get({ id: 1 + (i % 2) }));

  /** Counts what the portal answered, at the client's fetch (the journal would hold every command too). */
  function wire() {
    const counts = { requests: 0, rejected: 0 };
    const fetch: typeof globalThis.fetch = async (input, init) => {
      counts.requests++;
      const response = await globalThis.fetch(input, init);
      if (response.status === 503) counts.rejected++;
      return response;
    };
    return { counts, fetch };
  }

  it('sends exactly ⌈N/50⌉ requests, gets no 503, and takes about the bucket bound', async () => {
    const clock = virtualTime();
    const local = await server({ now: clock.now }, bucket);
    const { counts, fetch } = wire();
    const client = createBitrix24Client({
      webhookUrl: local.webhookUrl,
      allowInsecureHttp: true,
      rateLimit: bucket,
      now: clock.now,
      sleep: clock.sleep,
      fetch,
    });
    const out = await bulk(client, commands);
    expect(counts).toEqual({ requests: 40, rejected: 0 });
    expect(out.every((o) => o.ok)).toBe(true);
    const bound = ((40 - bucket.burst) / bucket.drainPerSecond) * 1000;
    expect(clock.now()).toBeGreaterThanOrEqual(bound);
    expect(clock.now()).toBeLessThanOrEqual(bound * 1.1);
  });

  it('without the limiter the same run trips the bucket, and only the refused batches fail', async () => {
    const clock = virtualTime();
    const local = await server({ now: clock.now }, bucket);
    const { counts, fetch } = wire();
    const client = createBitrix24Client({
      fetch,
      webhookUrl: local.webhookUrl,
      allowInsecureHttp: true,
      rateLimit: false,
      retry: false,
      now: clock.now,
      sleep: clock.sleep,
    });
    const out = await bulk(client, commands.slice(0, 1000));
    expect(counts).toEqual({ requests: 20, rejected: 10 });
    expect(out.filter((o) => !o.ok && o.error.code === 'QUERY_LIMIT_EXCEEDED')).toHaveLength(500);
    expect(out.slice(0, 500).every((o) => o.ok)).toBe(true);
  });
});
