// Issue 16, defect 1: `$result[…]` references can grow a batch exponentially; the growth is capped
// by `limits.maxBatchExpansionBytes` and refused in Bitrix24's shape, on every front. Issue 22,
// defect 2: so is an answer past `limits.maxAnswerBytes`, measured before it is built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBitrix24Error } from '../../src/index.js';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { createSandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { DEFAULT_LIMITS } from '../../src/wire/limits.js';
import { exponentialBatch } from '../support/abuse-inputs.js';
import { sandboxWithClient, WEBHOOK } from '../support/checked-sandbox.js';
import { postJson, send } from '../support/contract-answer.js';

// The chain grows a lead's TITLE; records are allowed to be that large here so that the expansion cap,
// not the record size cap (limits.maxRecordBytes), is what stops it.
const WIDE_RECORDS = { maxRecordBytes: 64 * 1024 * 1024 };

const json = { 'content-type': 'application/json' };

describe('batch $result expansion cap', () => {
  it('refuses the exponential chain of issue 16 with 400 ERROR_BATCH_LENGTH_EXCEEDED naming the command and the cap (createSandbox)', async () => {
    const { send, sandbox } = sandboxWithClient({ limits: WIDE_RECORDS });
    const answer = await send('batch', { headers: json, body: JSON.stringify(exponentialBatch()) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('ERROR_BATCH_LENGTH_EXCEEDED');
    expect(answer.body.error_description).toContain('"l2"');
    expect(answer.body.error_description).toContain(`${DEFAULT_LIMITS.maxBatchExpansionBytes} characters`);
    expect(answer.body.error_description).toContain('limits.maxBatchExpansionBytes');
    // The commands before the refused one ran (as a portal's would); the journal says which.
    expect(sandbox.calls.filter((c) => c.batchKey).map((c) => c.batchKey)).toEqual(['f', 'l1', 'g1']);
    const refused = sandbox.calls.at(-1)!;
    expect([refused.method, refused.status, refused.error?.error]).toEqual(['batch', 400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    // And the sandbox goes on answering.
    expect((await send('crm.lead.contact.items.get', { headers: json, body: '{"id":1}' })).status).toBe(200);
  });

  it('lets a chain within the cap run, and the cap is an option', async () => {
    const small = exponentialBatch(1); // f, l1, g1: 200 copies of the fields description, about 130 KB
    const { send } = sandboxWithClient({ limits: WIDE_RECORDS });
    const ran = await send('batch', { headers: json, body: JSON.stringify(small) });
    expect(ran.status).toBe(200);
    expect(ran.body.result.result_error).toEqual([]);
    const title = ran.body.result.result.g1.TITLE as string;
    expect(title.length).toBeGreaterThan(10_000);

    // The title is the 200 substituted copies and the 200 spaces between them: one character short of the copies.
    const capped = sandboxWithClient({ limits: { ...WIDE_RECORDS, maxBatchExpansionBytes: title.length - 201 } });
    const refused = await capped.send('batch', { headers: json, body: JSON.stringify(small) });
    expect([refused.status, refused.body.error]).toEqual([400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    expect(refused.body.error_description).toContain('"l1"');
    expect(capped.sandbox.calls.filter((c) => c.batchKey)).toHaveLength(1); // only f ran
  });

  it('counts every reference of the batch against one budget, not each command alone', async () => {
    const cmd = { f: 'crm.lead.contact.fields', a: 'crm.lead.add?fields[TITLE]=$result[f]', b: 'crm.lead.add?fields[TITLE]=$result[f]' };
    const fields = await sandboxWithClient().send('crm.lead.contact.fields', { headers: json, body: '{}' });
    const size = JSON.stringify(fields.body.result).length;
    // Room for one copy of the fields description, not two.
    const { send } = sandboxWithClient({ limits: { ...WIDE_RECORDS, maxBatchExpansionBytes: Math.floor(size * 1.5) } });
    const answer = await send('batch', { headers: json, body: JSON.stringify({ cmd }) });
    expect([answer.status, answer.body.error]).toEqual([400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    expect(answer.body.error_description).toContain('"b"');
  });

  it('refuses a limits.maxBatchExpansionBytes that is not a positive integer', () => {
    expect(() => sandboxWithClient({ limits: { maxBatchExpansionBytes: 0 } })).toThrow(/limits\.maxBatchExpansionBytes must be a positive integer/);
  });
});

describe('batch $result expansion cap over HTTP', () => {
  let server: RunningSandbox;
  beforeAll(async () => {
    server = await startSandbox({ limits: WIDE_RECORDS });
  });
  afterAll(() => server.close());

  it('answers the exponential chain 400 and keeps serving (startSandbox)', async () => {
    const answer = await postJson(`${server.webhookUrl}batch`, exponentialBatch(), 'batch');
    expect([answer.status, answer.body.error]).toEqual([400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    const after = await postJson(`${server.webhookUrl}crm.lead.contact.items.get`, { id: 1 }, 'crm.lead.contact.items.get');
    expect(after.status).toBe(200);
  });
});

// Issue 22, defect 2: an answer is measured (escapes counted) before any front builds it, and one past
// `limits.maxAnswerBytes` is refused. The report's attack, scaled down: 50 list pages of leads whose
// titles are control characters (6 bytes of JSON each), in one small batch.
const CONTROL_TITLE = '\u0001'.repeat(200);
const ANSWER_CAP = 64 * 1024;
const titled = (title: string) => ({ seed: { leads: Array.from({ length: 50 }, (_, i) => ({ id: i + 1, fields: { TITLE: title } })), contacts: [1] } });
const listPages = (count: number) => ({
  cmd: Object.fromEntries(Array.from({ length: count }, (_, i) => [`p${i}`, 'crm.lead.list?select[0]=TITLE&start=-1'])),
});
const CAPPED: SandboxOptions = { ...titled(CONTROL_TITLE), limits: { maxAnswerBytes: ANSWER_CAP }, now: () => 0 };

describe('answer size cap', () => {
  it('refuses the batch of list pages at the command that crosses it, with 400 ERROR_BATCH_LENGTH_EXCEEDED naming it and the cap', async () => {
    const { send, sandbox } = sandboxWithClient(CAPPED);
    const answer = await send('batch', { headers: json, body: JSON.stringify(listPages(50)) });
    expect([answer.status, answer.body.error]).toEqual([400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    expect(answer.body.error_description).toContain('"p1"');
    expect(answer.body.error_description).toContain(`${ANSWER_CAP} bytes`);
    expect(answer.body.error_description).toContain('limits.maxAnswerBytes');
    expect(sandbox.calls.filter((c) => c.batchKey).map((c) => c.batchKey)).toEqual(['p0', 'p1']);
  });

  it.each([
    ['plain titles pass', 'a'.repeat(200), 200],
    ['the same number of control characters is refused: their escapes are counted', CONTROL_TITLE, 400],
  ])('measures a single list page as JSON writes it: %s', async (_name, title, status) => {
    const { send } = sandboxWithClient({ ...titled(title), limits: { maxAnswerBytes: 32 * 1024 } });
    const answer = await send('crm.lead.list', { headers: json, body: '{"select":["TITLE"],"start":-1}' });
    expect(answer.status).toBe(status);
    if (status === 400) expect(answer.body).toEqual({ error: '', error_description: expect.stringContaining('limits.maxAnswerBytes') });
  });

  it('lets an answer of exactly maxAnswerBytes through and refuses one byte more (the measure is exact)', async () => {
    const request = { method: 'POST', headers: json, body: '{"select":["TITLE"],"start":-1}' };
    const url = `${WEBHOOK}crm.lead.list`;
    const size = Buffer.byteLength(await (await createSandbox({ ...CAPPED, limits: {} }).fetch(url, request)).text());
    expect((await createSandbox({ ...CAPPED, limits: { maxAnswerBytes: size } }).fetch(url, request)).status).toBe(200);
    expect((await createSandbox({ ...CAPPED, limits: { maxAnswerBytes: size - 1 } }).fetch(url, request)).status).toBe(400);
  });

  it('reaches the client as a Bitrix24 error naming the cap, not a network error', async () => {
    const { client } = sandboxWithClient({ ...titled(CONTROL_TITLE), limits: { maxAnswerBytes: 32 * 1024 } });
    const error = await client.crm.lead.list({ select: ['TITLE'], start: -1 }).catch((thrown: unknown) => thrown);
    expect(isBitrix24Error(error) && [error.status, error.retryable, error.description]).toEqual([
      400,
      false,
      expect.stringContaining('limits.maxAnswerBytes'),
    ]);
  });
});

describe('answer size cap over HTTP', () => {
  let server: RunningSandbox;
  beforeAll(async () => {
    server = await startSandbox(CAPPED);
  });
  afterAll(() => server.close());

  it('answers the batch of list pages 400 and keeps serving (startSandbox)', async () => {
    const answer = await postJson(`${server.webhookUrl}batch`, listPages(50), 'batch');
    expect([answer.status, answer.body.error]).toEqual([400, 'ERROR_BATCH_LENGTH_EXCEEDED']);
    expect(answer.text.length).toBeLessThan(1024);
    const after = await postJson(`${server.webhookUrl}batch`, listPages(1), 'batch');
    expect(after.status).toBe(200);
  });

  it('pages GET /__sandbox/state, as the journal read is paged', async () => {
    const state = async (query: string) => (await send(`${server.url}/__sandbox/state${query}`)).body;
    const first = await state('?limit=20');
    expect([first.result.leads.length, first.result.contacts.length, first.next, first.total]).toEqual([20, 0, 20, 51]);
    const last = await state('?start=40&limit=20');
    expect(last.result.leads.map((lead: { id: number }) => lead.id)).toEqual(Array.from({ length: 10 }, (_, i) => 41 + i));
    expect(last.result.contacts.map((contact: { id: number }) => contact.id)).toEqual([1]);
    expect(last).not.toHaveProperty('next');
    // Without a limit a page ends at its byte budget; following `next` reads every record once.
    const seen: number[] = [];
    for (let start: number | undefined = 0; start !== undefined; ) {
      const page = await state(`?start=${start}`);
      seen.push(...page.result.leads.map((lead: { id: number }) => lead.id));
      start = page.next;
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
