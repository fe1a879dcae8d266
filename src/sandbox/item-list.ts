import { WireError } from '../wire/wire-error.js';
import { ALIASES, type ItemField, itemField, itemFields, snakeUpper, ufStoreName } from './item-fields.js';
import { readField, type StoredRecord } from './item-view.js';
import { compileFilter, type FieldReader, type ListPageOf, listPage, parseFilterKey } from './list-query.js';
import type { PortalState } from './portal-state.js';
import { MULTI_FIELDS, type RecordKind } from './record-fields.js';

/**
 * `crm.item.list` over the list engine the legacy lists use: the camelCase filter and order are
 * translated to the stored UPPER_CASE names, so filters, pages, `start: -1` and the id-window fast
 * read behave exactly as `crm.lead.list` / `crm.contact.list` do.
 */

const invalid = (what: 'filter' | 'order', name: string, problem = `field '${name}' is not allowed in ${what}`) =>
  new WireError(400, 'INVALID_ARG_VALUE', `Invalid ${what}: ${problem}`);

/** Fields a list cannot filter or sort by: the disabled ones, `fm` (filter by `phone` / `email`) and the flat aliases. */
const queryable = (field: ItemField | undefined) => field !== undefined && field.shape !== 'disabled' && field.name !== 'fm';

/** The stored name a filter or order names, in camelCase (or UPPER_CASE, which a portal also takes), or undefined. */
function storedName(kind: RecordKind, name: string, { aliases }: { aliases: boolean }): string | undefined {
  const field = itemField(kind, name);
  if (queryable(field)) return field!.upper;
  const custom = ufStoreName(name);
  if (custom) return custom;
  if (aliases && (name === 'phone' || name === 'email')) return ALIASES[name]!.typeId;
  if (/^[A-Z][A-Z0-9_]*$/.test(name)) {
    // The field's upperName (`STAGE_ID`) or its stored legacy name (`STATUS_ID`).
    for (const each of itemFields(kind).values()) if (queryable(each) && (each.upper === name || snakeUpper(each.name) === name)) return each.upper;
    if (MULTI_FIELDS.includes(name) && aliases) return name;
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Prefix of the stand-in fields that carry a nested `logic` group through the engine's flat filter. */
const GROUP = '__ITEM_GROUP_';

/**
 * The filter in stored names. A nested group (`{ logic: 'OR', 0: {…}, 1: {…} }` under any key) becomes
 * one stand-in field whose reader answers `Y` when the group holds, so the engine's own filter takes it.
 */
function translateFilter(
  kind: RecordKind,
  filter: Record<string, unknown>,
  read: FieldReader<StoredRecord>,
  groups: Map<string, (record: StoredRecord) => boolean>,
) {
  const translated: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'logic') continue;
    if (isObject(value)) {
      const logic = String(value.logic ?? 'AND').toUpperCase();
      if (logic !== 'AND' && logic !== 'OR') throw invalid('filter', key, `logic must be AND or OR, got ${JSON.stringify(value.logic)}`);
      const parts = Object.entries(value)
        .filter(([part]) => part !== 'logic')
        .map(([part, condition]) => compileFilter(kind, translateFilter(kind, isObject(condition) ? condition : { [part]: condition }, read, groups), read));
      const name = `${GROUP}${groups.size}`;
      groups.set(name, logic === 'OR' ? (record) => parts.some((test) => test(record)) : (record) => parts.every((test) => test(record)));
      translated[name] = 'Y';
      continue;
    }
    const [prefix] = parseFilterKey(key);
    const name = key.slice(prefix.length);
    const stored = storedName(kind, name, { aliases: true });
    if (!stored) throw invalid('filter', name);
    translated[`${prefix}${stored}`] = value;
  }
  return translated;
}

/** The standard fields of each kind by stored name, for the reader. */
const BY_STORED: Readonly<Record<RecordKind, ReadonlyMap<string, ItemField>>> = {
  lead: new Map([...itemFields('lead').values()].map((field) => [field.upper, field])),
  contact: new Map([...itemFields('contact').values()].map((field) => [field.upper, field])),
};

/**
 * How the engine reads a stored record: a field's value as the item shows it (defaults and derived
 * fields included, so a filter finds what a read shows), a multiple field as its entry values.
 */
function itemReader(state: PortalState, kind: RecordKind, groups: ReadonlyMap<string, (record: StoredRecord) => boolean>): FieldReader<StoredRecord> {
  return (record, field) => {
    const group = groups.get(field);
    if (group) return group(record) ? 'Y' : 'N';
    if (field === 'ID') return record.id;
    const value = record.fields[field];
    if (MULTI_FIELDS.includes(field)) return Array.isArray(value) ? value.map((entry: { VALUE?: unknown }) => entry?.VALUE) : [];
    const known = BY_STORED[kind].get(field);
    return known ? readField(state, kind, record, known) : value;
  };
}

export interface ItemListQuery {
  filter?: Record<string, unknown>;
  order?: Record<string, unknown>;
  start?: number;
}

/** One page of `crm.item.list` for `kind`: the stored records, with `total` and `next` as the legacy lists count them. */
export function itemListPage(state: PortalState, kind: RecordKind, query: ItemListQuery): ListPageOf<StoredRecord> {
  const groups = new Map<string, (record: StoredRecord) => boolean>();
  const read = itemReader(state, kind, groups);
  const filter = translateFilter(kind, query.filter ?? {}, read, groups);
  const order: Record<string, string> = {};
  for (const [name, direction] of Object.entries(query.order ?? {})) {
    const stored = storedName(kind, name, { aliases: false });
    if (!stored) throw invalid('order', name);
    if (typeof direction !== 'string' || !/^(asc|desc)$/i.test(direction)) {
      throw invalid('order', name, `direction of '${name}' must be ASC or DESC, got ${JSON.stringify(direction)}`);
    }
    order[stored] = direction;
  }
  const records = (kind === 'lead' ? state.leads : state.contacts) as Parameters<typeof listPage<StoredRecord>>[1];
  return listPage<StoredRecord>(kind, records, { filter, order, ...(query.start === undefined ? {} : { start: Number(query.start) }) }, read);
}

/**
 * The camelCase names a list answer carries for a `select`: `*` is every field, `fm` included; an
 * omitted or empty select is every field but `fm` (the vendor is silent here: this is the legacy
 * lists' rule, which leave multiple fields out unless named); named fields as asked (UPPER_CASE
 * names too), `fm` only through `*`, unknown names dropped as a portal drops them; `id` always.
 * Returns undefined for "every field".
 */
export function selectedNames(kind: RecordKind, select: readonly unknown[] | undefined, custom: readonly string[]): ReadonlySet<string> | undefined {
  if (select?.includes('*')) return undefined;
  const all = [...itemFields(kind).keys(), ...Object.keys(ALIASES), ...custom];
  if (!select || select.length === 0) return new Set(all.filter((name) => name !== 'fm'));
  const names = new Set<string>(['id']);
  for (const entry of select) {
    if (typeof entry !== 'string' || entry === 'fm') continue;
    const field = itemField(kind, entry) ?? [...itemFields(kind).values()].find((each) => each.upper === entry || snakeUpper(each.name) === entry);
    if (field) names.add(field.name);
    else if (entry in ALIASES || custom.includes(entry)) names.add(entry);
    else if (entry === 'ufCrm*' || entry === 'UF_*') for (const name of custom) names.add(name);
  }
  return names;
}
