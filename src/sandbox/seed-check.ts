import { isRecord as isPlainObject } from '../wire/json-pointer.js';
import type { Seed } from './portal-state.js';
import { MULTI_FIELDS } from './record-fields.js';
import { DEFAULT_RECORD_LIMITS } from './record-caps.js';

/** A seed that breaks a rule; the message names the field and the rule. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

function onlyKeys(value: Record<string, unknown>, where: string, allowed: readonly string[]) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new SeedError(`${where} has an unknown key "${key.slice(0, 60)}"; allowed: ${allowed.join(', ')}`);
  }
}

function checkFields(value: unknown, where: string) {
  if (value !== undefined && !isPlainObject(value)) throw new SeedError(`${where}.fields must be an object of field values`);
  // Record fields pass as they are, except the communication fields, which the list filters and
  // crm.duplicate.findbycomm read entry by entry.
  for (const name of MULTI_FIELDS) {
    const entries = (value as Record<string, unknown> | undefined)?.[name];
    if (entries === undefined) continue;
    if (!Array.isArray(entries) || !entries.every((entry) => isPlainObject(entry) && (typeof entry.VALUE === 'string' || typeof entry.VALUE === 'number'))) {
      throw new SeedError(`${where}.fields.${name} must be a list of entries such as { "VALUE": "555888", "VALUE_TYPE": "WORK" }`);
    }
  }
}

function checkLink(link: unknown, where: string) {
  if (isId(link)) return;
  if (!isPlainObject(link)) throw new SeedError(`${where} must be a contact id (a positive integer) or { CONTACT_ID, SORT?, IS_PRIMARY? }`);
  onlyKeys(link, where, ['CONTACT_ID', 'SORT', 'IS_PRIMARY']);
  if (!isId(link.CONTACT_ID)) throw new SeedError(`${where}.CONTACT_ID must be a positive integer`);
  if (link.SORT !== undefined && !Number.isSafeInteger(link.SORT)) throw new SeedError(`${where}.SORT must be an integer`);
  if (link.IS_PRIMARY !== undefined && link.IS_PRIMARY !== 'Y' && link.IS_PRIMARY !== 'N') throw new SeedError(`${where}.IS_PRIMARY must be "Y" or "N"`);
}

/** Most leads and contacts a seed from outside the program may hold (the admin API, `--seed`). */
export const MAX_SEED_RECORDS = 10_000;

/** What a seed may hold: records of each kind, links of one lead, links in all. */
export interface SeedCaps {
  maxRecords: number;
  /** Default: the portal's own cap, `limits.maxLinksPerLead`. */
  maxLinksPerLead: number;
  /** Default: the portal's own cap, `limits.maxLinks`. */
  maxLinks: number;
}

const SEED_CAPS: Readonly<SeedCaps> = {
  maxRecords: MAX_SEED_RECORDS,
  maxLinksPerLead: DEFAULT_RECORD_LIMITS.maxLinksPerLead,
  maxLinks: DEFAULT_RECORD_LIMITS.maxLinks,
};

/** No cap: a seed the program itself passes (`createSandbox`, `startSandbox`) is only checked for its shape. */
export const UNCAPPED_SEED: Readonly<SeedCaps> = {
  maxRecords: Number.POSITIVE_INFINITY,
  maxLinksPerLead: Number.POSITIVE_INFINITY,
  maxLinks: Number.POSITIVE_INFINITY,
};

function checkRecords(list: unknown, kind: 'leads' | 'contacts', { maxRecords, maxLinksPerLead }: SeedCaps) {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new SeedError(`${kind} must be an array of ids or records`);
  if (list.length > maxRecords) throw new SeedError(`${kind} holds ${list.length} records; at most ${maxRecords} are accepted`);
  const seen = new Set<number>();
  list.forEach((entry, i) => {
    const where = `${kind}[${i}]`;
    let id: unknown = entry;
    if (isPlainObject(entry)) {
      onlyKeys(entry, where, kind === 'leads' ? ['id', 'fields', 'contacts'] : ['id', 'fields']);
      id = entry.id;
      checkFields(entry.fields, where);
      if (entry.contacts !== undefined) {
        if (!Array.isArray(entry.contacts)) throw new SeedError(`${where}.contacts must be an array`);
        if (entry.contacts.length > maxLinksPerLead)
          throw new SeedError(`${where}.contacts holds ${entry.contacts.length} links; at most ${maxLinksPerLead} are accepted`);
        entry.contacts.forEach((link, j) => checkLink(link, `${where}.contacts[${j}]`));
      }
    }
    if (!isId(id)) throw new SeedError(`${where}${isPlainObject(entry) ? '.id' : ''} must be a positive integer`);
    if (seen.has(id)) throw new SeedError(`${where}: id ${id} appears twice`);
    seen.add(id);
  });
}

const linkedId = (link: unknown) => (typeof link === 'number' ? link : (link as { CONTACT_ID: number }).CONTACT_ID);

/**
 * A link to a contact the seed does not list creates that contact, so the contact cap counts every
 * distinct contact id of the seed, listed or linked; the links of all leads together have a cap too.
 */
function checkTotals(seed: Seed, { maxRecords, maxLinks }: SeedCaps) {
  const contacts = new Set<number>();
  for (const entry of seed.contacts ?? []) contacts.add(typeof entry === 'number' ? entry : entry.id);
  let links = 0;
  for (const lead of seed.leads ?? []) {
    if (typeof lead === 'number') continue;
    for (const link of lead.contacts ?? []) contacts.add(linkedId(link));
    links += lead.contacts?.length ?? 0;
  }
  if (contacts.size > maxRecords) {
    throw new SeedError(`the seed names ${contacts.size} distinct contacts (listed in contacts or linked from leads); at most ${maxRecords} are accepted`);
  }
  if (links > maxLinks) throw new SeedError(`leads hold ${links} links in all; at most ${maxLinks} are accepted`);
}

/**
 * Checks a seed before a sandbox uses it, so a mistake is named instead of surfacing later as a
 * broken portal. Seeds from outside the program (a `--seed` file, the admin API) are also capped at
 * `maxRecords` leads and contacts (listed or linked), and at the portal's own link caps per lead and
 * in all, so one request cannot tie up the server and a portal starts within its caps.
 */
export function checkSeed(value: unknown, caps: Partial<SeedCaps> = {}): Seed {
  const { maxRecords, maxLinksPerLead, maxLinks } = { ...SEED_CAPS, ...caps };
  if (!isPlainObject(value)) throw new SeedError('The seed must be a JSON object such as { "leads": [1], "contacts": [1010] }');
  onlyKeys(value, 'The seed', ['leads', 'contacts']);
  const all = { maxRecords, maxLinksPerLead, maxLinks };
  checkRecords(value.leads, 'leads', all);
  checkRecords(value.contacts, 'contacts', all);
  checkTotals(value as Seed, all);
  return value as Seed;
}
