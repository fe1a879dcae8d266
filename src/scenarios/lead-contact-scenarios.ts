import type { Bitrix24Client } from '../client/client.js';
import { isBitrix24Error } from '../client/errors.js';

/** The records a scenario works on: a lead and three contacts, created for the run. */
export interface ScenarioRecords {
  lead: number;
  contacts: readonly [number, number, number];
  /** Text unique to the run: the lead's `TITLE` and each contact's `LAST_NAME`, so list filters find exactly these. */
  marker: string;
}

/** One rule of the lead–contact methods, checked on a live portal or the sandbox. */
export interface Scenario {
  /** The rule, as the contract's descriptions state it. */
  rule: string;
  /** Where the rule comes from: the lead pages, or the deal sibling the contract assumes leads follow. */
  source: 'lead docs' | 'deal sibling (inferred)' | 'batch docs' | 'record docs' | 'record docs (inferred)' | 'module source (inferred)';
  run(client: Bitrix24Client, records: ScenarioRecords): Promise<void>;
}

/** A scenario whose answer differed from the rule: names the rule, what was expected and what came. */
export class ScenarioMismatch extends Error {
  override readonly name = 'ScenarioMismatch';
}

const show = (value: unknown) => JSON.stringify(value);

export function expectSame(what: string, actual: unknown, expected: unknown) {
  if (show(actual) !== show(expected)) throw new ScenarioMismatch(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** `items.get` as `[contact, 'Y' | 'N']` pairs in the order the portal returns them. */
async function links(client: Bitrix24Client, lead: number) {
  const items = await client.crm.lead.contact.items.get({ id: lead });
  return items.map((item) => [Number(item.CONTACT_ID), item.IS_PRIMARY] as const);
}

/** The lead–contact rules, each written once; `npm test` runs them against the sandbox and `verify --write` against a portal. */
export const leadContactScenarios: readonly Scenario[] = [
  {
    rule: 'the first link of a lead becomes primary whatever IS_PRIMARY says',
    source: 'lead docs',
    async run(client, { lead, contacts: [a] }) {
      expectSame('add', await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a, IS_PRIMARY: 'N' } }), true);
      expectSame('items.get after add', await links(client, lead), [[a, 'Y']]);
    },
  },
  {
    rule: 'adding a contact that is already linked returns false and changes nothing',
    source: 'deal sibling (inferred)',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a } });
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: b, SORT: 20 } });
      expectSame('second add of the same contact', await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: b, IS_PRIMARY: 'Y' } }), false);
      expectSame('items.get', await links(client, lead), [
        [a, 'Y'],
        [b, 'N'],
      ]);
    },
  },
  {
    rule: 'IS_PRIMARY "Y" moves the primary to the new link, and a lead has at most one primary',
    source: 'lead docs',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a, SORT: 10 } });
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: b, SORT: 20, IS_PRIMARY: 'Y' } });
      expectSame('items.get', await links(client, lead), [
        [a, 'N'],
        [b, 'Y'],
      ]);
    },
  },
  {
    rule: 'deleting the primary link promotes the first remaining link',
    source: 'deal sibling (inferred)',
    async run(client, { lead, contacts: [a, b, c] }) {
      await client.crm.lead.contact.items.set({ id: lead, items: [{ CONTACT_ID: a, IS_PRIMARY: 'Y' }, { CONTACT_ID: b }, { CONTACT_ID: c }] });
      expectSame('delete', await client.crm.lead.contact.delete({ id: lead, fields: { CONTACT_ID: a } }), true);
      expectSame('items.get', await links(client, lead), [
        [b, 'Y'],
        [c, 'N'],
      ]);
    },
  },
  {
    rule: 'deleting a contact that is not linked returns false',
    source: 'deal sibling (inferred)',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a } });
      expectSame('delete of an unlinked contact', await client.crm.lead.contact.delete({ id: lead, fields: { CONTACT_ID: b } }), false);
      expectSame('items.get', await links(client, lead), [[a, 'Y']]);
    },
  },
  {
    rule: 'items.set replaces the whole list; without a "Y" the first item is primary; SORT defaults to (i+1)*10',
    source: 'deal sibling (inferred)',
    async run(client, { lead, contacts: [a, b, c] }) {
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a } });
      expectSame('items.set', await client.crm.lead.contact.items.set({ id: lead, items: [{ CONTACT_ID: b }, { CONTACT_ID: c }] }), true);
      const items = await client.crm.lead.contact.items.get({ id: lead });
      expectSame(
        'items.get',
        items.map((item) => [Number(item.CONTACT_ID), Number(item.SORT), item.IS_PRIMARY]),
        [
          [b, 10, 'Y'],
          [c, 20, 'N'],
        ],
      );
    },
  },
  {
    rule: 'in items.set the first entry marked "Y" is the one primary',
    source: 'deal sibling (inferred)',
    async run(client, { lead, contacts: [a, b, c] }) {
      await client.crm.lead.contact.items.set({
        id: lead,
        items: [
          { CONTACT_ID: a, IS_PRIMARY: 'N' },
          { CONTACT_ID: b, IS_PRIMARY: 'Y' },
          { CONTACT_ID: c, IS_PRIMARY: 'Y' },
        ],
      });
      expectSame('items.get', await links(client, lead), [
        [a, 'N'],
        [b, 'Y'],
        [c, 'N'],
      ]);
    },
  },
  {
    rule: 'items.get lists the links by SORT',
    source: 'lead docs',
    async run(client, { lead, contacts: [a, b, c] }) {
      await client.crm.lead.contact.items.set({
        id: lead,
        items: [
          { CONTACT_ID: a, SORT: 30 },
          { CONTACT_ID: b, SORT: 10 },
          { CONTACT_ID: c, SORT: 20 },
        ],
      });
      expectSame(
        'items.get order',
        (await links(client, lead)).map(([id]) => id),
        [b, c, a],
      );
    },
  },
  {
    rule: 'items.delete unlinks every contact',
    source: 'lead docs',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.contact.items.set({ id: lead, items: [{ CONTACT_ID: a }, { CONTACT_ID: b }] });
      expectSame('items.delete', await client.crm.lead.contact.items.delete({ id: lead }), true);
      expectSame('items.get', await links(client, lead), []);
    },
  },
  {
    rule: 'batch runs commands in order and a command can use an earlier result through $result[key]',
    source: 'batch docs',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.contact.items.set({ id: lead, items: [{ CONTACT_ID: a, IS_PRIMARY: 'Y' }, { CONTACT_ID: b }] });
      const answer = await client.call('batch', {
        halt: 0,
        cmd: {
          before: `crm.lead.contact.items.get?id=${lead}`,
          unlink: `crm.lead.contact.delete?id=${lead}&fields[CONTACT_ID]=$result[before][0][CONTACT_ID]`,
          after: `crm.lead.contact.items.get?id=${lead}`,
        },
      });
      const results = answer.result as Record<string, unknown>;
      expectSame('the referencing command', results.unlink, true);
      expectSame(
        'items.get after the batch',
        (results.after as Array<{ CONTACT_ID: number; IS_PRIMARY: string }>).map((item) => [Number(item.CONTACT_ID), item.IS_PRIMARY]),
        [[b, 'Y']],
      );
    },
  },
  {
    rule: 'linking a contact that does not exist fails with 400 NOT_FOUND',
    source: 'lead docs',
    async run(client, { lead }) {
      try {
        await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: 2_000_000_000 } });
      } catch (error) {
        if (isBitrix24Error(error)) {
          expectSame('the error', [error.status, error.code], [400, 'NOT_FOUND']);
          return;
        }
        throw error;
      }
      throw new ScenarioMismatch('add of an unknown contact: expected 400 NOT_FOUND, got a result');
    },
  },
];

/** The outcome of one scenario. */
export interface ScenarioOutcome {
  scenario: Scenario;
  /** Undefined when the rule held; otherwise what differed (or the error that stopped it). */
  mismatch?: string;
}

/**
 * Runs each scenario on a lead cleared of links first, and reports each rule as held or not;
 * never throws for a mismatch, so one broken rule does not hide the others.
 */
export async function runScenarios(client: Bitrix24Client, records: ScenarioRecords, scenarios = leadContactScenarios): Promise<ScenarioOutcome[]> {
  const outcomes: ScenarioOutcome[] = [];
  for (const scenario of scenarios) {
    try {
      await client.crm.lead.contact.items.delete({ id: records.lead });
      await scenario.run(client, records);
      outcomes.push({ scenario });
    } catch (error) {
      outcomes.push({ scenario, mismatch: error instanceof ScenarioMismatch ? error.message : `stopped by ${(error as Error).message}` });
    }
  }
  await client.crm.lead.contact.items.delete({ id: records.lead }).catch(() => undefined);
  return outcomes;
}
