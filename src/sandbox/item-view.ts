import { ALIASES, ENTITY_TYPE_IDS, ITEM_LAYOUT, type ItemField, isCustomField, ufItemName } from './item-fields.js';
import { type FmEntry, fmEntries } from './fm.js';
import type { ContactRecord, LeadRecord, PortalState } from './portal-state.js';
import type { RecordKind } from './record-fields.js';

/**
 * A stored lead or contact as `crm.item.*` answers it: camelCase names, ids and amounts as JSON
 * numbers, datetimes ISO-8601 with offset, `fm` and its flat aliases from the stored phone and
 * e-mail lists, a lead's `contactIds` and `contactId` from its links (the legacy view reads the
 * same record as text: `"ID": "7"`, `"OPPORTUNITY": "12500.00"`).
 */

export type StoredRecord = LeadRecord | ContactRecord;
type Item = Record<string, unknown>;

const unset = (value: unknown) => value === undefined || value === null || value === '';

const asId = (value: unknown) => (unset(value) ? null : Number(value));

/** A stored `YYYY-MM-DD` reads as that day's midnight in UTC, as the vendor reads date fields back as datetimes. */
const asDatetime = (value: unknown) => (unset(value) ? null : /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${value}T00:00:00+00:00` : String(value));

/** The stage group of a lead's status: converted is success, junk is failure, anything else in progress. */
const stageSemantic = (status: unknown) => (status === 'CONVERTED' ? 'S' : status === 'JUNK' ? 'F' : 'P');

/**
 * Who a record reads as created and assigned by when the store does not say: the sandbox does not
 * record its callers, so user 1, the portal's first administrator (the user of the example webhooks).
 */
const ACTING_USER = 1;

const yesNo = (value: boolean) => (value ? 'Y' : 'N');

/** The first value of each alias's kind, or the alias's empty value. */
function aliasValues(entries: readonly FmEntry[]): Item {
  const view: Item = {};
  for (const [name, { typeId, valueType, empty }] of Object.entries(ALIASES)) {
    view[name] = entries.find((entry) => entry.typeId === typeId && (valueType === undefined || entry.valueType === valueType))?.value ?? empty;
  }
  return view;
}

/** One standard field's value as the item shows it, for the list's filter and order. */
export const readField = (state: PortalState, kind: RecordKind, record: StoredRecord, field: ItemField) =>
  fieldValue(state, kind, record, field, field.shape === 'computed' || field.shape === 'text' ? fmEntries(record.id, record.fields) : []);

/** One standard field's value, read from the store or derived. */
function fieldValue(state: PortalState, kind: RecordKind, record: StoredRecord, field: ItemField, entries: readonly FmEntry[]): unknown {
  const stored = record.fields[field.upper];
  switch (field.name) {
    case 'id':
      return record.id;
    case 'entityTypeId':
      return ENTITY_TYPE_IDS[kind];
    case 'createdTime':
      return asDatetime(stored ?? record.createdAt);
    // A record never changed, moved or worked on reads as changed, moved and last touched when and by whom it was created.
    case 'updatedTime':
    case 'movedTime':
    case 'lastActivityTime':
      return asDatetime(stored ?? record.fields.DATE_CREATE ?? record.createdAt);
    case 'createdBy':
    case 'assignedById':
      return asId(stored) ?? ACTING_USER;
    case 'updatedBy':
    case 'movedBy':
    case 'lastActivityBy':
      return asId(stored) ?? asId(record.fields.CREATED_BY_ID) ?? ACTING_USER;
    case 'contactId':
      return state.primaryOf(record.id) ?? 0;
    case 'contactIds':
      return state.sortedLinks(record.id).map((link) => link.contactId);
    case 'stageSemanticId':
      return stored ?? stageSemantic(record.fields.STATUS_ID);
    case 'hasPhone':
      return yesNo(entries.some((entry) => entry.typeId === 'PHONE'));
    case 'hasEmail':
      return yesNo(entries.some((entry) => entry.typeId === 'EMAIL'));
    case 'hasImol':
      return yesNo(entries.some((entry) => entry.typeId === 'IM' && entry.valueType === 'IMOL'));
    case 'isReturnCustomer':
      return stored ?? 'N';
    case 'searchContent':
      return null;
    case 'fm':
      return entries.map(({ id, valueType, value, typeId }) => ({ id, valueType, value, typeId }));
  }
  switch (field.shape) {
    case 'id':
      return asId(stored);
    case 'id0':
    case 'user':
      return asId(stored) ?? 0;
    case 'flag':
      return stored ?? (field.name === 'opened' || field.name === 'export' ? 'Y' : 'N');
    case 'number':
      return unset(stored) || !Number.isFinite(Number(stored)) ? null : Number(stored);
    case 'datetime':
      return asDatetime(stored);
    case 'ids':
      return Array.isArray(stored) ? stored.map(Number) : [];
    case 'disabled':
      return null;
    default:
      return stored ?? null;
  }
}

/**
 * The record's item: every field in the vendor's answer order, its custom fields under their
 * `ufCrm…` names (or `UF_CRM_…` ones with `useOriginalUfNames`). `names`, when given, limits the
 * answer to those camelCase names (a list's `select`); `id` is always there.
 */
export function itemView(
  state: PortalState,
  kind: RecordKind,
  record: StoredRecord,
  { names, originalUfNames = false }: { names?: ReadonlySet<string>; originalUfNames?: boolean } = {},
): Item {
  const entries = names && !names.has('fm') && ![...names].some((name) => name in ALIASES || name.startsWith('has')) ? [] : fmEntries(record.id, record.fields);
  const item: Item = {};
  // Only what the answer carries is computed: a list page of three selected fields reads three.
  const wanted = (name: string) => !names || name === 'id' || names.has(name);
  const put = (name: string, value: unknown) => {
    // Defined, not assigned: a custom field named `__proto__` is data, not the item's prototype.
    Object.defineProperty(item, name, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const slot of ITEM_LAYOUT[kind]) {
    if (slot === 'aliases') {
      if (Object.keys(ALIASES).some(wanted)) for (const [name, value] of Object.entries(aliasValues(entries))) if (wanted(name)) put(name, value);
    } else if (slot === 'uf') {
      for (const [upper, value] of Object.entries(record.fields)) {
        const name = originalUfNames ? upper : isCustomField(upper) ? ufItemName(upper) : '';
        if (isCustomField(upper) && wanted(name)) put(name, value);
      }
    } else if (wanted(slot.name)) put(slot.name, fieldValue(state, kind, record, slot, entries));
  }
  return item;
}
