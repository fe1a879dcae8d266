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

/** The communication fields: lists of `{ ID, VALUE, VALUE_TYPE, TYPE_ID }` entries. */
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

/**
 * Gives every multiple-field entry of a record its own `ID`, numbered as the read methods number
 * entries that have none (record id × 100, then one up per entry in field order), so an update can
 * address the entries a read showed.
 */
function numberEntries(recordId: number, fields: Record<string, unknown>) {
  let entryId = recordId * 100;
  for (const [name, value] of Object.entries(fields)) {
    if (!MULTI_FIELDS.includes(name) || !Array.isArray(value)) continue;
    fields[name] = value.map((entry: Entry) => {
      ++entryId;
      return entry.ID === undefined ? { ...entry, ID: String(entryId) } : entry;
    });
  }
}

const highestEntryId = (recordId: number, fields: Record<string, unknown>) =>
  Math.max(
    recordId * 100,
    ...MULTI_FIELDS.flatMap((name) => (Array.isArray(fields[name]) ? (fields[name] as Entry[]).map((entry) => Number(entry.ID) || 0) : [])),
  );

/**
 * Applies the entries of an update to one multiple field (the contact update page's rules): no `ID`
 * adds; a known `ID` with a non-empty `VALUE` replaces; `DELETE: "Y"`, an empty or absent `VALUE`
 * removes. An `ID` the record does not hold is ignored (inferred).
 */
export function applyMultiFieldEdits(recordId: number, fields: Record<string, unknown>, name: string, edits: readonly Entry[]) {
  numberEntries(recordId, fields);
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
