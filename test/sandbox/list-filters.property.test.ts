// The "Done when" of issue 22: random filters (every prefix, lists, values near the cap, unicode)
// against 10,000 leads get a 200 or a Bitrix24-shaped 400, exactly the 400s the contract's rules
// call for, and the work of each request stays within a bound this test counts (never a clock).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterWork } from '../../src/sandbox/filter-work.js';
import { parseFilterKey } from '../../src/sandbox/list-query.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { expectContractAnswer } from '../support/contract-answer.js';
import { randomListRequest } from '../support/filter-inputs.js';

const RECORDS = 10_000;
const WORDS = ['Website enquiry', 'Звонок', 'Ärger mit Öl', 'phone call', 'MOLLY_mol%', '🙂 emoji', 'İstanbul'];
const leads = Array.from({ length: RECORDS }, (_, i) => ({
  id: i + 1,
  fields: {
    TITLE: `${WORDS[i % WORDS.length]} ${i}`,
    OPPORTUNITY: i % 3 === 0 ? `${i}.50` : i * 7,
    STATUS_ID: ['NEW', 'JUNK', 'IN_PROCESS'][i % 3],
    ...(i % 2 === 0 ? { PHONE: [{ VALUE: `+1 555 ${i}` }, { VALUE: `8 (912) ${i}` }] } : {}),
    ...(i % 5 === 0 ? { EMAIL: [{ VALUE: `Lead.${i}@Example.org` }], UF_CRM_1: `custom ${i}` } : {}),
  },
}));
const sandbox = createSandbox({ seed: { leads, contacts: [1] } });

/** The longest text a filter can meet in one field value (lower-cased), the creation date included. */
const LONGEST_FIELD = Math.max(
  25,
  ...leads
    .flatMap(({ fields }) => Object.values(fields).flatMap((value) => (Array.isArray(value) ? value.map((entry) => entry.VALUE) : [value])))
    .map((value) => String(value).toLowerCase().length),
);
/** Most entries a multiple field holds: a multiple-field key tests each. */
const ENTRIES = 2;
const ONE_VALUE = new Set(['>', '>=', '<', '<=', '%', '!%', '=%', '%=', '!%=', '!=%']);

/**
 * The most steps one request may take: per key and record, reading the field and one pass over it
 * (three passes of the field plus the value), or field × value for a LIKE pattern with `_`; plus
 * compiling the value once. Lower-casing may lengthen unicode text, hence the value counted twice.
 */
function workBound(filter: Record<string, unknown>): number {
  let bound = 0;
  for (const value of Object.values(filter)) {
    const m = 2 * JSON.stringify(value).length;
    const perRecord = typeof value === 'string' && value.includes('_') ? (LONGEST_FIELD + 2) * (m + 2) : 3 * (LONGEST_FIELD + 2) + m + 2;
    bound += RECORDS * ENTRIES * perRecord + 2 * (m + 2);
  }
  return bound;
}

/** Whether the contract refuses the filter: a list on a one-value prefix, a text past 2,000 characters, a list past 1,000 items. */
function refused(filter: Record<string, unknown>): boolean {
  return Object.entries(filter).some(([key, value]) => {
    const tooLong = (item: unknown) => typeof item === 'string' && item.length > 2_000;
    if (!Array.isArray(value)) return tooLong(value);
    return ONE_VALUE.has(parseFilterKey(key)[0]) || value.length > 1_000 || value.some(tooLong);
  });
}

describe('crm.lead.list with random filters at 10,000 leads (property)', () => {
  it('answers 200 or the 400 the contract calls for, within a counted bound of work', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(randomListRequest, async (request) => {
        const before = filterWork.steps;
        const response = await sandbox.fetch('https://filters.bitrix24.test/rest/1/prop/crm.lead.list', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...request, select: ['ID'] }),
        });
        const steps = filterWork.steps - before;
        const body = await response.json();
        expect(response.status, JSON.stringify(body).slice(0, 300)).toBe(refused(request.filter) ? 400 : 200);
        expectContractAnswer('crm.lead.list', response.status, body);
        if (response.status === 200) expect(body.result.length).toBeLessThanOrEqual(50);
        expect(steps).toBeLessThanOrEqual(workBound(request.filter));
        answered++;
      }),
      { numRuns: 150 },
    );
    expect(answered).toBe(150);
  });
});
