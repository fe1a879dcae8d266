import { WireError } from '../wire/wire-error.js';
import { MULTI_FIELDS } from './record-fields.js';

/**
 * Phones, e-mails and the other multiple fields in their `crm.item` form, `fm`: a list of
 * `{ id, typeId, valueType, value }`. The store keeps them as the legacy methods do, one list per
 * type (`PHONE: [{ ID, VALUE, VALUE_TYPE }]`), so `fm` is a view of those lists and an `fm` write
 * becomes the legacy entry edits the update path already applies.
 */

export interface FmEntry {
  id: number;
  typeId: string;
  valueType: string;
  value: string;
}

type Stored = Record<string, unknown>;

/** The `typeId`s `fm` takes: the legacy multiple fields. */
export const FM_TYPES: readonly string[] = MULTI_FIELDS;

/**
 * Every entry of a record in `fm` form. An entry stored without an `ID` gets the one the legacy
 * read methods and the update path give it (record id × 100, then one up per entry in field order),
 * so both views, and an update addressing what either showed, agree on it.
 */
export function fmEntries(recordId: number, fields: Stored): FmEntry[] {
  const entries: FmEntry[] = [];
  let entryId = recordId * 100;
  for (const [name, value] of Object.entries(fields)) {
    if (!FM_TYPES.includes(name) || !Array.isArray(value)) continue;
    for (const entry of value as Stored[]) {
      ++entryId;
      entries.push({
        id: Number(entry.ID ?? entryId),
        typeId: name,
        valueType: String(entry.VALUE_TYPE ?? 'WORK'),
        value: String(entry.VALUE ?? ''),
      });
    }
  }
  return entries;
}

const fail = (field: string, rule: string) => new WireError(400, '', `Parameter fields.fm${field}: ${rule}`);
const isObject = (value: unknown): value is Stored => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Checks one `{ typeId, valueType, value }` entry; the portal would skip an entry without `typeId` silently. */
function checkedEntry(entry: unknown, at: string, { removal }: { removal: boolean }) {
  if (!isObject(entry)) throw fail(at, 'must be an object { typeId, valueType, value }');
  const { typeId, valueType, value } = entry;
  if (typeId === undefined || typeId === null || typeId === '') {
    throw fail(`${at}.typeId`, `is required (one of ${FM_TYPES.join(', ')}); without it a portal accepts the call and changes nothing`);
  }
  if (typeof typeId !== 'string' || !FM_TYPES.includes(typeId))
    throw fail(`${at}.typeId`, `must be one of ${FM_TYPES.join(', ')}, got ${JSON.stringify(typeId)}`);
  if (valueType !== undefined && (typeof valueType !== 'string' || valueType === '')) throw fail(`${at}.valueType`, 'must be a non-empty string such as WORK');
  if (typeof value !== 'string' && typeof value !== 'number') throw fail(`${at}.value`, 'is required: the phone, e-mail or address as text');
  if (!removal && String(value) === '') throw fail(`${at}.value`, 'must not be empty when adding an entry');
  return { typeId, valueType: valueType as string | undefined, value: String(value) };
}

/** The legacy fields an `fm` list on `crm.item.add` stands for: `{ PHONE: [{ VALUE, VALUE_TYPE }], … }`. */
export function fmForAdd(fm: unknown): Record<string, Stored[]> {
  if (!Array.isArray(fm)) throw fail('', 'on add must be an array of { typeId, valueType, value } (a portal ignores any other form without an error)');
  const fields: Record<string, Stored[]> = {};
  fm.forEach((entry, i) => {
    const { typeId, valueType, value } = checkedEntry(entry, `[${i}]`, { removal: false });
    (fields[typeId] ??= []).push({ VALUE: value, VALUE_TYPE: valueType ?? 'WORK' });
  });
  return fields;
}

/**
 * The legacy entry edits an `fm` object on `crm.item.update` stands for, per field:
 * `n0`, `n1`… add; a numeric entry id with a value changes that entry; an id with `value: ""`
 * removes it; entries not named stay. An id the record does not hold adds an entry (as a portal
 * does); an entry moved to another `typeId` leaves its old list.
 */
export function fmForUpdate(recordId: number, fields: Stored, fm: unknown): Record<string, Stored[]> {
  if (!isObject(fm)) {
    throw fail(
      '',
      Array.isArray(fm)
        ? 'on update must be an object keyed n0, n1… (add) or by entry id (change; value "" removes); a portal appends an array without an error'
        : 'on update must be an object keyed n0, n1… (add) or by entry id (change; value "" removes)',
    );
  }
  const held = new Map(fmEntries(recordId, fields).map((entry) => [String(entry.id), entry]));
  const edits: Record<string, Stored[]> = {};
  const edit = (typeId: string, change: Stored) => (edits[typeId] ??= []).push(change);
  for (const [key, entry] of Object.entries(fm)) {
    const adding = /^n\d+$/.test(key);
    if (!adding && !/^[1-9]\d*$/.test(key)) throw fail(`.${key}`, 'keys are n0, n1… to add an entry or an entry id (a number) to change or remove one');
    const { typeId, valueType, value } = checkedEntry(entry, `.${key}`, { removal: !adding });
    const current = adding ? undefined : held.get(key);
    if (!current) {
      if (value !== '') edit(typeId, { VALUE: value, VALUE_TYPE: valueType ?? 'WORK' });
      continue;
    }
    if (value === '') {
      edit(current.typeId, { ID: current.id, DELETE: 'Y' });
    } else if (current.typeId !== typeId) {
      edit(current.typeId, { ID: current.id, DELETE: 'Y' });
      edit(typeId, { VALUE: value, VALUE_TYPE: valueType ?? current.valueType });
    } else {
      edit(typeId, { ID: current.id, VALUE: value, VALUE_TYPE: valueType ?? current.valueType });
    }
  }
  return edits;
}
