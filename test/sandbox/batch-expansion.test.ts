// Issue 16, defect 1: `$result[…]` references can grow a batch exponentially; the growth is capped
// by `limits.maxBatchExpansionBytes` and refused in Bitrix24's shape, on every front.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { DEFAULT_LIMITS } from '../../src/wire/limits.js';
import { exponentialBatch } from '../support/abuse-inputs.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';
import { postJson } from '../support/contract-answer.js';

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
