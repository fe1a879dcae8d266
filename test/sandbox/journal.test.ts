// Issue 16, defect 2 and 9b: each portal's journal is bounded by entries and by size (oldest dropped
// and counted), keeps no oversized parameters of rejected calls and no `auth` value, one parameter cap
// covers a whole request, and the admin API reads the journal in pages.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { journalPage, withoutAuth, type SandboxCall } from '../../src/sandbox/journal.js';
import { statePage, type StatePage } from '../../src/sandbox/state-page.js';
import { jsonSize } from '../../src/wire/json-size.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { wideBatch } from '../support/abuse-inputs.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';
import { postJson, send } from '../support/contract-answer.js';

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const ITEMS_GET = 'crm.lead.contact.items.get';

describe('jsonSize', () => {
  const lone = String.fromCharCode(0xd800);
  it.each([
    ['a string', 'abc'],
    ['an object of strings', { a: 'xy', bb: 'z' }],
    ['an array of numbers', [1, 22, 333, -1.5e300, Number.NaN]],
    ['null and booleans', [null, true, false]],
    ['control characters (issue 22: each U+0001 is 6 bytes of JSON)', '\u0001\u001f\n\t"\\'],
    ['text beyond ASCII and a lone surrogate', `é€😀${lone}`],
    ['keys that need escapes, and what JSON leaves out', { 'k"\n': [undefined, () => 1], gone: undefined }],
    ['toJSON', { at: new Date(0) }],
  ])('is the UTF-8 length of JSON.stringify for %s', (_name, value) => {
    expect(jsonSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('is exact for any JSON value (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => jsonSize(value) === Buffer.byteLength(JSON.stringify(value))));
  });

  it.each([
    ['a long array', Array.from({ length: 20_000 }, () => ({ k: 'v' }))],
    ['an object of many keys', Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v']))],
    ['one deep record', { a: [{ b: 'x'.repeat(5000) }] }],
  ])('says "more than the limit" for %s past it, and is exact under it', (_name, value) => {
    expect(jsonSize(value, 1000)).toBeGreaterThan(1000);
    expect(jsonSize(value, Number.POSITIVE_INFINITY)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });
});

describe('withoutAuth', () => {
  it.each([
    ['crm.lead.get?id=1&auth=tok', 'crm.lead.get?id=1'],
    ['crm.lead.get?auth=tok&id=1', 'crm.lead.get?id=1'],
    ['crm.lead.get?auth=tok', 'crm.lead.get?'],
    ['crm.lead.get?%61uth=tok&id=1', 'crm.lead.get?id=1'],
    ['crm.lead.get?auth%5B0%5D=tok&id=1', 'crm.lead.get?id=1'],
    ['crm.lead.get?auth[x]=tok&id=1', 'crm.lead.get?id=1'],
    ['crm.lead.get?id=1&fields[auth]=kept&authority=kept', 'crm.lead.get?id=1&fields[auth]=kept&authority=kept'],
    ['crm.lead.get', 'crm.lead.get'],
  ])('%s → %s', (line, expected) => {
    expect(withoutAuth(line)).toBe(expected);
  });
});

describe('journalPage', () => {
  const calls: SandboxCall[] = Array.from({ length: 5 }, (_, i) => ({ method: `m${i}`, params: {}, status: 200 }));
  const methods = (page: { result: SandboxCall[] }) => page.result.map((c) => c.method);

  it.each([
    ['everything by default', {}, ['m0', 'm1', 'm2', 'm3', 'm4'], undefined],
    ['a first page of two', { limit: 2 }, ['m0', 'm1'], 102],
    ['the page at a position', { start: 102, limit: 2 }, ['m2', 'm3'], 104],
    ['the last page', { start: 104, limit: 2 }, ['m4'], undefined],
    ['dropped positions from the oldest kept', { start: 0, limit: 1 }, ['m0'], 101],
    ['nothing past the end', { start: 999 }, [], undefined],
  ])('%s', (_name, query, expected, next) => {
    const page = journalPage(calls, 100, query);
    expect(methods(page)).toEqual(expected);
    expect(page.next).toBe(next);
    expect([page.total, page.dropped]).toEqual([5, 100]);
  });

  it('ends a page at the byte budget, with one entry at least', () => {
    const big: SandboxCall[] = Array.from({ length: 3 }, (_, i) => ({ method: `m${i}`, params: { pad: 'x'.repeat(1000) }, status: 200 }));
    expect(methods(journalPage(big, 0, {}, 2500))).toEqual(['m0', 'm1']);
    expect(methods(journalPage(big, 0, {}, 10))).toEqual(['m0']);
  });
});

describe('statePage', () => {
  const read = { lead: (id: number) => ({ id, pad: 'x'.repeat(1000) }), contact: (id: number) => ({ id }) };
  const ids = (page: StatePage) => [...page.result.leads, ...page.result.contacts].map((record) => (record as { id: number }).id);

  it.each([
    ['everything by default', {}, 1_000_000, [1, 2, 10, 11], undefined],
    ['leads, then contacts, by position', { start: 1, limit: 2 }, 1_000_000, [2, 10], 3],
    ['a page ends at the byte budget', {}, 2040, [1, 2], 2],
    ['one record at least', { start: 1 }, 10, [2], 2],
    ['nothing past the end', { start: 9 }, 1_000_000, [], undefined],
  ])('%s', (_name, query, maxBytes, expected, next) => {
    const page = statePage([1, 2], [10, 11], read, query, maxBytes);
    expect(ids(page)).toEqual(expected);
    expect(page.next).toBe(next);
    expect(page.total).toBe(4);
  });
});

describe('journal caps', () => {
  it('keeps the latest maxJournalEntries calls and counts the dropped ones', async () => {
    const { send: call, sandbox } = sandboxWithClient({ limits: { maxJournalEntries: 3 } });
    for (let id = 1; id <= 5; id++) await call(ITEMS_GET, { headers: json, body: JSON.stringify({ id }) });
    expect(sandbox.calls.map((c) => c.params.id)).toEqual([3, 4, 5]);
    expect(sandbox.droppedCalls).toBe(2);
    sandbox.clearCalls();
    expect([sandbox.calls.length, sandbox.droppedCalls]).toEqual([0, 0]);
  });

  it('keeps the journal within maxJournalBytes, dropping the oldest', async () => {
    const maxJournalBytes = 4096;
    const sandbox = createSandbox({ limits: { maxJournalBytes } });
    for (let i = 0; i < 40; i++) {
      await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.lead.add', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ fields: { TITLE: `${i} ${'t'.repeat(300)}` } }),
      });
    }
    expect(JSON.stringify(sandbox.calls).length).toBeLessThanOrEqual(maxJournalBytes);
    expect(sandbox.droppedCalls).toBeGreaterThan(0);
    expect(sandbox.calls.at(-1)?.params).toEqual({ fields: { TITLE: `39 ${'t'.repeat(300)}` } });
  });

  it('stores a rejected call without its oversized parameters, and says so', async () => {
    const sandbox = createSandbox({ limits: { maxRejectedParamsBytes: 1024 } });
    const body = JSON.stringify({ id: 'not-a-number', fields: { CONTACT_ID: 1, pad: 'p'.repeat(100_000) } });
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.lead.contact.add', { method: 'POST', headers: json, body });
    expect(answer.status).toBe(400);
    expect(sandbox.calls).toEqual([expect.objectContaining({ method: 'crm.lead.contact.add', params: {}, status: 400, omitted: ['params'] })]);
    // A small rejected call keeps its parameters.
    await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.lead.contact.add', { method: 'POST', headers: json, body: '{"id":"x"}' });
    expect(sandbox.calls.at(-1)).toMatchObject({ params: { id: 'x' }, status: 400 });
    expect(sandbox.calls.at(-1)).not.toHaveProperty('omitted');
  });

  it('rejects 1,000 calls of 64 KiB without growing past its caps (issue 16: 1,362 of 3 MiB ended the process)', async () => {
    const sandbox = createSandbox({ limits: { maxJournalBytes: 64 * 1024 } });
    const body = `id=x&fields[pad]=${'p'.repeat(64 * 1024)}`;
    for (let i = 0; i < 1000; i++) {
      await sandbox.fetch('https://x.bitrix24.test/rest/1/c/crm.lead.contact.add', { method: 'POST', headers: form, body });
    }
    expect(sandbox.calls.length + sandbox.droppedCalls).toBe(1000);
    expect(JSON.stringify(sandbox.calls).length).toBeLessThanOrEqual(64 * 1024);
    expect(sandbox.calls.every((c) => c.omitted?.includes('params'))).toBe(true);
  });

  it('keeps the journals of all portals of a server within maxServerJournalBytes (issue 22: 1,000 portals × 8 MiB)', async () => {
    const server = await startSandbox({ limits: { maxServerJournalBytes: 32 * 1024 } });
    try {
      const add = (code: string, i: number) =>
        postJson(`${server.url}/rest/1/${code}/crm.lead.add`, { fields: { TITLE: `${i} ${'t'.repeat(1000)}` } }, 'crm.lead.add');
      for (let i = 0; i < 60; i++) await add('journal-a', i);
      const first = server.portal('journal-a').calls.length;
      expect(first).toBeGreaterThan(10);
      // Another portal of the same server finds the budget used: it keeps its latest call, bare.
      await add('journal-b', 0);
      await add('journal-b', 1);
      expect(server.portal('journal-b').calls).toEqual([expect.objectContaining({ method: 'crm.lead.add', params: {}, omitted: ['result', 'params'] })]);
      expect(server.portal('journal-b').droppedCalls).toBe(1);
      // Removing a portal gives its share back.
      await fetch(`${server.url}/__sandbox/portal?portal=journal-a`, { method: 'DELETE' });
      await add('journal-b', 2);
      expect(server.portal('journal-b').calls.at(-1)).toMatchObject({ params: { fields: { TITLE: expect.stringMatching(/^2 /) } } });
    } finally {
      await server.close();
    }
  });

  it('refuses journal limits that are not positive integers', () => {
    expect(() => createSandbox({ limits: { maxJournalEntries: -1 } })).toThrow(/limits\.maxJournalEntries must be a positive integer/);
    expect(() => createSandbox({ limits: { maxJournalBytes: 1.5 } })).toThrow(/limits\.maxJournalBytes must be a positive integer/);
  });
});

describe('journal entries are copies', () => {
  it.each([
    ['a direct call', 'crm.lead.add', JSON.stringify({ fields: { PHONE: [{ VALUE: '111' }] } })],
    ['a batch command', 'batch', JSON.stringify({ cmd: { a: 'crm.lead.add?fields[PHONE][0][VALUE]=111' } })],
  ])('regression (issue 22 #15): editing sandbox.calls after %s leaves the stored record as it was', async (_how, method, body) => {
    const { send: call, sandbox } = sandboxWithClient();
    await call(method, { headers: json, body });
    const entry = sandbox.calls.find((c) => c.method === 'crm.lead.add')!;
    (entry.params.fields as { PHONE: Array<{ VALUE: string }> }).PHONE[0]!.VALUE = '999';
    expect(sandbox.lead(entry.result as number)!.fields.PHONE).toMatchObject([{ VALUE: '111' }]);
  });

  it('regression (issue 22 #15): editing the journalled answer of crm.lead.get changes no later answer', async () => {
    const { send: call, sandbox } = sandboxWithClient();
    await call('crm.lead.get', { headers: json, body: '{"id":1}' });
    (sandbox.calls.at(-1)!.result as Record<string, unknown>).TITLE = 'edited';
    const again = await call('crm.lead.get', { headers: json, body: '{"id":1}' });
    expect(again.body.result.TITLE).not.toBe('edited');
  });
});

describe('auth in the journal', () => {
  it('holds no auth value, not even inside batch command strings (issue 16, 9b)', async () => {
    const sandbox = createSandbox();
    const token = 'SecretTok_9b_4711';
    const cmd = { a: `crm.lead.contact.items.get?id=1&auth=${token}`, b: `crm.lead.get?auth=${token}&id=1`, c: `crm.lead.get?id=2&%61uth=${token}` };
    await sandbox.fetch(`https://x.bitrix24.test/rest/batch?auth=${token}`, { method: 'POST', headers: json, body: JSON.stringify({ cmd, auth: token }) });
    await sandbox.fetch(`https://x.bitrix24.test/rest/1/c/batch`, {
      method: 'POST',
      headers: form,
      body: `cmd[x]=${encodeURIComponent(`crm.lead.get?id=1&auth=${token}`)}`,
    });
    const journal = JSON.stringify(sandbox.calls);
    expect(journal).not.toContain(token);
    expect(sandbox.calls.find((c) => c.method === 'batch')?.params.cmd).toEqual({
      a: 'crm.lead.contact.items.get?id=1',
      b: 'crm.lead.get?id=1',
      c: 'crm.lead.get?id=2',
    });
  });
});

describe('parameter cap per request', () => {
  it('counts the query, the body and the batch commands together (issue 16: 57 commands × 9,000 parameters)', async () => {
    const sandbox = createSandbox();
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/batch', { method: 'POST', headers: json, body: JSON.stringify(wideBatch(57, 9_000)) });
    expect(answer.status).toBe(400);
    expect((await answer.json()).error_description).toMatch(/Too many parameters: at most 10000 are accepted in one request/);
    // Nothing ran, and the refused batch is journaled without its parameters.
    expect(sandbox.calls.map((c) => [c.method, c.status, c.omitted])).toEqual([['batch', 400, ['params']]]);
  });

  it('counts each command of a JSON batch, so a flood of commands past the 50th is refused whole', async () => {
    const sandbox = createSandbox();
    const cmd = Array.from({ length: 10_001 }, () => 'crm.lead.contact.fields');
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/batch', { method: 'POST', headers: json, body: JSON.stringify({ cmd }) });
    expect(answer.status).toBe(400);
    expect((await answer.json()).error_description).toMatch(/Too many parameters: at most 10000/);
    expect(sandbox.calls.filter((c) => c.batchKey)).toEqual([]);
  });

  it('shares the cap between the query string and a form body', async () => {
    const sandbox = createSandbox({ limits: { maxParameters: 10 } });
    const query = Array.from({ length: 6 }, (_, i) => `q${i}=1`).join('&');
    const body = Array.from({ length: 6 }, (_, i) => `b${i}=1`).join('&');
    const answer = await sandbox.fetch(`https://x.bitrix24.test/rest/1/c/${ITEMS_GET}?${query}`, { method: 'POST', headers: form, body: `id=1&${body}` });
    expect(answer.status).toBe(400);
    expect((await answer.json()).error_description).toMatch(/Too many parameters: at most 10 are accepted/);
  });

  it('neither decodes nor journals commands past the 50th, which fail one by one', async () => {
    const sandbox = createSandbox();
    const batch = wideBatch(60, 1);
    batch.cmd.c55 = `crm.lead.get?${'a'.repeat(10)}${'[x]'.repeat(100)}=1`; // would be a nesting error if decoded
    const answer = await sandbox.fetch('https://x.bitrix24.test/rest/1/c/batch', { method: 'POST', headers: json, body: JSON.stringify(batch) });
    const body = await answer.json();
    expect(answer.status).toBe(200);
    expect(Object.keys(body.result.result)).toHaveLength(50);
    expect(Object.values(body.result.result_error)).toEqual(
      Array(10).fill({ error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' }),
    );
    expect(sandbox.calls.filter((c) => c.batchKey)).toHaveLength(50);
  });
});

describe('GET /__sandbox/calls', () => {
  let server: RunningSandbox;
  beforeAll(async () => {
    server = await startSandbox({ limits: { maxJournalEntries: 5 } });
  });
  afterAll(() => server.close());
  const admin = (route: string) => send(`${server.url}/__sandbox/${route}`);

  it('pages the journal with ?start=&limit=, counting dropped entries in the positions', async () => {
    for (let id = 1; id <= 7; id++) await postJson(`${server.url}/rest/1/paging/${ITEMS_GET}`, { id }, ITEMS_GET);
    const all = await admin('calls?portal=paging');
    expect(all.body).toMatchObject({ total: 5, dropped: 2 });
    expect(all.body.result.map((c: SandboxCall) => c.params.id)).toEqual([3, 4, 5, 6, 7]);
    expect(all.body).not.toHaveProperty('next');

    const first = await admin('calls?portal=paging&limit=2');
    expect(first.body.result.map((c: SandboxCall) => c.params.id)).toEqual([3, 4]);
    expect(first.body.next).toBe(4);
    const second = await admin(`calls?portal=paging&limit=2&start=${first.body.next}`);
    expect(second.body.result.map((c: SandboxCall) => c.params.id)).toEqual([5, 6]);
    const last = await admin(`calls?portal=paging&limit=2&start=${second.body.next}`);
    expect(last.body.result.map((c: SandboxCall) => c.params.id)).toEqual([7]);
    expect(last.body).not.toHaveProperty('next');
  });

  it('answers a bad start or limit with 400 naming it', async () => {
    for (const [query, name] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['start=-1', 'start'],
    ]) {
      const answer = await admin(`calls?${query}`);
      expect([answer.status, answer.body.error_description]).toEqual([400, expect.stringContaining(`${name} must be an integer`)]);
    }
  });

  it('answers rejected 3 MiB calls with a small journal (issue 16: after 200 of them the read was a 500, a string past V8 limit)', async () => {
    const body = `id=x&fields[pad]=${'p'.repeat(3 * 1024 * 1024)}`;
    for (let i = 0; i < 20; i++) {
      const answer = await fetch(`${server.url}/rest/1/big/crm.lead.contact.add`, { method: 'POST', headers: form, body });
      expect(answer.status).toBe(400);
      await answer.arrayBuffer();
    }
    const journal = await admin('calls?portal=big');
    expect(journal.status).toBe(200);
    expect(journal.body).toMatchObject({ total: 5, dropped: 15 });
    expect(journal.text.length).toBeLessThan(64 * 1024);
  });
});
