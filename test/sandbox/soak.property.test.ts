// The "Done when" of issue 16: random batches and bodies, for a bounded number of runs, never get a
// 5xx, and the sandbox's memory stays within its caps (journal entries and size, heap growth).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { heapAfterGc } from '../support/heap.js';
import { randomBatch, randomBody, randomMethod, SOAK_TOKEN } from '../support/soak-inputs.js';

const JOURNAL = { maxJournalEntries: 300, maxJournalBytes: 256 * 1024, maxBatchExpansionBytes: 16 * 1024 };
const traffic = fc.oneof(
  randomBatch.map((request) => ({ method: 'batch', ...request })),
  fc.tuple(randomMethod, randomBody).map(([method, request]) => ({ method, ...request })),
);

describe('sandbox soak (property)', () => {
  it('createSandbox().fetch: no 5xx, the journal within its caps, no token in it, bounded heap growth', async () => {
    const sandbox = createSandbox({ limits: JOURNAL });
    const before = heapAfterGc();
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(traffic, async ({ method, type, body }) => {
        const answer = await sandbox.fetch(`https://soak.bitrix24.test/rest/1/soak/${method}`, {
          method: 'POST',
          headers: type ? { 'content-type': type } : {},
          body,
        });
        const text = await answer.text();
        calls++;
        expect(answer.status, text.slice(0, 300)).toBeLessThan(500);
        expect(answer.status).toBeGreaterThanOrEqual(200);
        if (answer.status >= 400) expect(typeof JSON.parse(text).error).toBe('string');
        expect(sandbox.calls.length).toBeLessThanOrEqual(JOURNAL.maxJournalEntries);
      }),
      { numRuns: 250 },
    );
    const journal = JSON.stringify(sandbox.calls);
    expect(journal.length).toBeLessThanOrEqual(JOURNAL.maxJournalBytes);
    expect(journal).not.toContain(SOAK_TOKEN);
    expect(sandbox.droppedCalls).toBeGreaterThan(0);
    expect(calls).toBe(250);
    const growth = heapAfterGc() - before;
    // The journal's cap plus the records the random adds created (titles capped by maxBatchExpansionBytes).
    expect(growth).toBeLessThan(24 * 1024 * 1024);
  });

  describe('over HTTP', () => {
    let server: RunningSandbox;
    beforeAll(async () => {
      server = await startSandbox({ limits: JOURNAL });
    });
    afterAll(() => server.close());

    it('startSandbox: no 5xx, and the admin API reads the whole journal page by page', async () => {
      await fc.assert(
        fc.asyncProperty(traffic, async ({ method, type, body }) => {
          const answer = await fetch(`${server.url}/rest/1/soak/${method}`, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
          const text = await answer.text();
          expect(answer.status, text.slice(0, 300)).toBeLessThan(500);
        }),
        { numRuns: 60 },
      );
      const pages: unknown[][] = [];
      let start: number | undefined;
      for (;;) {
        const answer = await fetch(`${server.adminUrl}calls?portal=soak&limit=50${start === undefined ? '' : `&start=${start}`}`);
        expect(answer.status).toBe(200);
        const page = (await answer.json()) as { result: unknown[]; next?: number; total: number };
        pages.push(page.result);
        if (page.next === undefined) break;
        start = page.next;
      }
      const read = pages.flat();
      expect(read).toEqual(JSON.parse(JSON.stringify(server.portal('soak').calls)));
      expect(read.length).toBeLessThanOrEqual(JOURNAL.maxJournalEntries);
      expect(JSON.stringify(read)).not.toContain(SOAK_TOKEN);
    });
  });
});
