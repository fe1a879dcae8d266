import { exampleResult } from './contract-data.js';

/** A field as `crm.lead.fields` / `crm.contact.fields` describes it. */
export interface FieldInfo {
  type: string;
  isMultiple: boolean;
}

export type RecordKind = 'lead' | 'contact';

/** The standard fields of each record kind, from the contract's documented `*.fields` answers. */
export const RECORD_FIELDS: Readonly<Record<RecordKind, Readonly<Record<string, FieldInfo>>>> = {
  lead: exampleResult('leadFields') as Record<string, FieldInfo>,
  contact: exampleResult('contactFields') as Record<string, FieldInfo>,
};

/** The communication fields: lists of `{ ID, VALUE, VALUE_TYPE, TYPE_ID }` entries (the one list of them in the sandbox). */
export const MULTI_FIELDS: readonly string[] = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'];

const NUMERIC_TYPES = new Set(['integer', 'double', 'user', 'crm_company', 'crm_contact', 'crm_lead', 'crm_deal']);

/** Whether a filter or an order compares the field as a number (ids, amounts) rather than as text. */
export const isNumericField = (kind: RecordKind, name: string) => NUMERIC_TYPES.has(RECORD_FIELDS[kind][name]?.type ?? '');

/**
 * A stored value as a portal sends it back: it reads everything from its database as text, so ids
 * and numbers become decimal text and amounts (`double`) carry two decimals (`"12500.00"`).
 */
export function portalText(kind: RecordKind, name: string, value: unknown): unknown {
  const type = RECORD_FIELDS[kind][name]?.type;
  if (type === 'double' && (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))))) {
    return Number(value).toFixed(2);
  }
  return typeof value === 'number' ? String(value) : value;
}

type Entry = Record<string, unknown>;

/** Sets a key as data: a field named `__proto__` stays a field, never the object's prototype. */
export function defineField(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

const highestEntryId = (recordId: number, fields: Record<string, unknown>) => {
  let highest = recordId * 100;
  for (const name of MULTI_FIELDS) {
    const entries = fields[name];
    if (Array.isArray(entries)) for (const entry of entries as Entry[]) highest = Math.max(highest, Number(entry.ID) || 0);
  }
  return highest;
};

/**
 * A record's fields as they are stored: every multiple-field entry carries its own `ID` from then
 * on, so every read shows the same id and an update by that id changes that entry. Ids run from
 * record id × 100 + 1 in field order. `add` numbers every entry (a sent `ID` names nothing yet);
 * a seed stands for records a portal already holds, so its entries keep the ids they bring.
 */
export function storedFields(recordId: number, fields: Record<string, unknown>, { keepIds }: { keepIds: boolean }): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  let nextId = keepIds ? highestEntryId(recordId, fields) : recordId * 100;
  for (const [name, value] of Object.entries(fields)) {
    const numbered =
      MULTI_FIELDS.includes(name) && Array.isArray(value)
        ? value.map((entry: Entry) => ({ ...entry, ID: keepIds && entry.ID !== undefined ? String(entry.ID) : String(++nextId) }))
        : value;
    defineField(stored, name, numbered);
  }
  return stored;
}

/** A stored multiple-field entry as the read methods show it: its stored `ID`, its field as `TYPE_ID`, `VALUE` as text. */
export function entryView(name: string, entry: Entry): Entry {
  const { ID, TYPE_ID: _field, ...rest } = entry;
  return { ID: String(ID), TYPE_ID: name, ...rest, VALUE: String(entry.VALUE) };
}

/**
 * Applies the entries of an update to one multiple field (the contact update page's rules): no `ID`
 * adds; a known `ID` with a non-empty `VALUE` replaces; `DELETE: "Y"`, an empty or absent `VALUE`
 * removes. An `ID` the record does not hold is ignored (inferred).
 */
export function applyMultiFieldEdits(recordId: number, fields: Record<string, unknown>, name: string, edits: readonly Entry[]) {
  let entries = Array.isArray(fields[name]) ? (fields[name] as Entry[]).slice() : [];
  let nextId = highestEntryId(recordId, fields);
  for (const edit of edits) {
    const { DELETE, ID, ...change } = edit;
    if (ID === undefined) {
      entries.push({ ...change, ID: String(++nextId), VALUE: String(change.VALUE) });
      continue;
    }
    const at = entries.findIndex((entry) => String(entry.ID) === String(ID));
    if (at < 0) continue;
    if (DELETE === 'Y' || change.VALUE === undefined || change.VALUE === '') entries = entries.filter((_, i) => i !== at);
    else entries[at] = { ...entries[at], ...change, VALUE: String(change.VALUE) };
  }
  if (entries.length > 0) fields[name] = entries;
  else delete fields[name];
}
