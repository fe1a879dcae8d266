// Issue 11, defect 10: an answer of any size used to be buffered whole (a 200 MB answer grew a client
// past 12 GB). The client now counts bytes as they arrive and stops at maxResponseBytes.
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { rawClient, createBitrix24Client, type Bitrix24ClientOptions, type Bitrix24Error } from '../../src/index.js';
import { fakeClock, startFaultServer, type Script } from '../support/fault-server.js';

const CODE = 'capwebhookcode2020';
const MiB = 1024 * 1024;
const params = { id: 1, fields: { CONTACT_ID: 1010 } };
let close: (() => Promise<void>) | undefined;
afterEach(() => close?.());

async function setup(script: Script, options: Partial<Bitrix24ClientOptions> = {}) {
  const server = await startFaultServer(script);
  close = server.close;
  const clock = fakeClock();
  const client = createBitrix24Client({
    webhookUrl: `${server.origin}/rest/1/${CODE}/`,
    allowInsecureHttp: true,
    now: clock.now,
    sleep: clock.sleep,
    ...options,
  } as Bitrix24ClientOptions);
  const failure = (call: Promise<unknown> = client.crm.lead.contact.add(params)) =>
    call.then(
      () => expect.unreachable('the call should fail'),
      (error: unknown) => error as Bitrix24Error,
    );
  return { ...server, client, failure };
}

/** An envelope whose `result` string makes the whole body exactly `bytes` long. */
const envelopeOf = (bytes: number) => {
  const shell = '{"result":"","time":{"start":1,"finish":1,"duration":0,"date_start":"x","date_finish":"x"}}';
  return shell.replace('""', `"${'a'.repeat(bytes - shell.length)}"`);
};

function drainedOrClosed(res: ServerResponse) {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

/** Streams a JSON string of `total` bytes in 64 KiB chunks without Content-Length; records how much got out. */
function endless(total: number, progress: { written: number; closed: boolean }) {
  return async (_req: unknown, res: ServerResponse) => {
    res.on('close', () => (progress.closed = true));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"result":"');
    const chunk = Buffer.alloc(64 * 1024, 'a');
    while (progress.written < total && !res.destroyed) {
      if (!res.write(chunk)) await drainedOrClosed(res);
      progress.written += chunk.length;
    }
    res.end('"}');
  };
}

describe('answer size cap (maxResponseBytes)', () => {
  it('stops reading a streamed answer past the 8 MiB default, closes it and throws RESPONSE_TOO_LARGE once', async () => {
    const progress = { written: 0, closed: false };
    const t = await setup(endless(256 * MiB, progress));
    const error = await t.failure();
    expect(error).toMatchObject({ status: 200, code: 'RESPONSE_TOO_LARGE', retryable: false });
    expect(error.description).toContain(String(8 * MiB));
    await expect.poll(() => progress.closed).toBe(true);
    expect(progress.written).toBeLessThan(64 * MiB); // the connection was closed, not drained
    expect(t.seen).toHaveLength(1); // not retried: the same answer would come again
  });

  it('reads an answer of exactly maxResponseBytes and refuses one byte more', async () => {
    const t = await setup(
      (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.end(envelopeOf(req.url!.includes('.items.get') ? 1001 : 1000));
      },
      { maxResponseBytes: 1000 },
    );
    await expect(t.client.crm.lead.contact.add(params)).resolves.toMatch(/^a+$/);
    expect(await t.failure(t.client.crm.lead.contact.items.get({ id: 1 }))).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('refuses a declared Content-Length above the cap', async () => {
    const t = await setup((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(envelopeOf(5000)), { maxResponseBytes: 1000 });
    expect(await t.failure()).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('counts the bytes after decompression, so a small gzip answer cannot expand past the cap', async () => {
    const body = gzipSync(envelopeOf(4 * MiB));
    expect(body.length).toBeLessThan(64 * 1024);
    const t = await setup((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(body), {
      maxResponseBytes: MiB,
    });
    expect(await t.failure()).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('caps error answers and raw calls too', async () => {
    const t = await setup((_req, res) => res.writeHead(503, { 'Content-Type': 'text/html' }).end('<html>'.padEnd(5000, 'x')), { maxResponseBytes: 1000 });
    expect(await t.failure()).toMatchObject({ status: 503, code: 'RESPONSE_TOO_LARGE', retryable: false });
    await expect(rawClient(t.client).POST('/crm.lead.contact.add', { body: params })).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(t.seen).toHaveLength(2);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxResponseBytes %s, naming the option', (maxResponseBytes) => {
    expect(() => createBitrix24Client({ webhookUrl: `https://example.bitrix24.com/rest/1/${CODE}/`, maxResponseBytes })).toThrow(
      /maxResponseBytes must be a whole number ≥ 1/,
    );
  });
});
