import { WireError } from '../wire/wire-error.js';
import { documentedError, exampleResult } from './contract-data.js';
import { ALIASES, type ItemField, itemField, kindOfEntityType, ufItemName, ufStoreName } from './item-fields.js';
import { itemListPage, selectedNames } from './item-list.js';
import { itemView, type StoredRecord } from './item-view.js';
import { fmForAdd, fmForUpdate } from './fm.js';
import { ListAnswer } from './list-query.js';
import type { PortalState } from './portal-state.js';
import type { RecordKind } from './record-fields.js';
import { recordHandlers } from './record-methods.js';

/**
 * `crm.item.add|get|list|update|delete|fields` for leads (entityTypeId 1) and contacts (3): a second
 * view over the store the legacy methods keep. Every change goes through the same mutation points
 * as the legacy methods (`addLead`, `addContact`, the `crm.lead.update` / `crm.contact.update` path,
 * `deleteLead`, `deleteContact`), so a record, its links and its phones are one record whichever
 * family wrote them.
 */

// biome-ignore lint/suspicious/noExplicitAny: parameters reach a handler only after the contract's validator accepted them
type Params = Record<string, any>;

const noun = (kind: RecordKind) => (kind === 'lead' ? 'a lead' : 'a contact');

function existing(state: PortalState, kind: RecordKind, id: unknown): StoredRecord {
  const record = (kind === 'lead' ? state.leads : state.contacts).get(Number(id));
  if (!record) throw documentedError('itemNotFound');
  return record;
}

const originalUfNames = (params: Params) => params.useOriginalUfNames === 'Y' || params.useOriginalUfNames === true;

/** The vendor's documented error `100` for a scalar where a multiple field takes a list. */
function notIterable(name: string, value: unknown) {
  return new WireError(400, '100', `Expected iterable value for multiple field "${name}", but got ${value === null ? 'null' : typeof value} instead`);
}

/**
 * The stored (UPPER_CASE) fields a `crm.item` write stands for. Read-only and derived fields are
 * left out, as a portal ignores them (so an item read back can be sent back); a name that is not a
 * field of the kind is refused naming it, where a portal would drop it without a word. When a lead
 * gets both, `contactIds` decides and its first contact is primary (the documented rule of the
 * estimate and company siblings; the lead pages are silent), so a disagreeing `contactId` is not used.
 * On update, a field sent with the value the item already has is left out.
 */
function storedFields(kind: RecordKind, fields: Params, current?: { record: StoredRecord; item: Record<string, unknown> }): Record<string, unknown> {
  const record = current?.record;
  const stored: Record<string, unknown> = {};
  const put = (name: string, value: unknown) => Object.defineProperty(stored, name, { value, enumerable: true, writable: true, configurable: true });
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'fm') {
      for (const [type, entries] of Object.entries(record ? fmForUpdate(record.id, record.fields, value) : fmForAdd(value))) put(type, entries);
      continue;
    }
    const custom = ufStoreName(name);
    if (custom) {
      put(custom, value);
      continue;
    }
    const field: ItemField | undefined = itemField(kind, name);
    if (!field && !Object.hasOwn(ALIASES, name)) {
      throw new WireError(
        400,
        '',
        `Parameter fields.${name}: ${noun(kind)} has no field "${name}" (crm.item.fields with entityTypeId ${kind === 'lead' ? 1 : 3} lists them)`,
      );
    }
    if (!field || field.readOnly || field.shape === 'disabled' || field.shape === 'computed') continue;
    if (field.shape === 'ids' && !Array.isArray(value)) throw notIterable(name, value);
    if (field.name === 'contactId' && Array.isArray(fields.contactIds)) continue;
    // A value the item already has is no change (a portal does not save an unchanged item), so an item read and sent back changes nothing.
    if (current && JSON.stringify(current.item[name]) === JSON.stringify(value)) continue;
    put(field.upper, value);
  }
  return stored;
}

function answerItem(state: PortalState, kind: RecordKind, record: StoredRecord, params: Params) {
  return { item: itemView(state, kind, record, { originalUfNames: originalUfNames(params) }) };
}

const customNames = (record: StoredRecord, original: boolean) =>
  Object.keys(record.fields)
    .filter((name) => name.startsWith('UF_CRM_'))
    .map((name) => (original ? name : ufItemName(name)));

/** The documented `crm.item.fields` answers: the sandbox keeps no custom fields of its own to add. */
const FIELDS_EXAMPLE: Readonly<Record<RecordKind, string>> = { lead: 'leadItemFields', contact: 'contactItemFields' };

export const itemHandlers: Readonly<Record<string, (state: PortalState, params: Params) => unknown>> = {
  'crm.item.add': (state, params) => {
    const kind = kindOfEntityType(params.entityTypeId);
    const fields = storedFields(kind, params.fields ?? {});
    const id = kind === 'lead' ? state.addLead(fields) : state.addContact(fields);
    return answerItem(state, kind, existing(state, kind, id), params);
  },
  'crm.item.get': (state, params) => {
    const kind = kindOfEntityType(params.entityTypeId);
    return answerItem(state, kind, existing(state, kind, params.id), params);
  },
  'crm.item.update': (state, params) => {
    const kind = kindOfEntityType(params.entityTypeId);
    const record = existing(state, kind, params.id);
    const fields = storedFields(kind, params.fields ?? {}, { record, item: itemView(state, kind, record) });
    // The legacy update path: the same rules for links, repeat leads and phone entries, and the same mutation point.
    recordHandlers[kind === 'lead' ? 'crm.lead.update' : 'crm.contact.update']!(state, { id: record.id, fields });
    return answerItem(state, kind, existing(state, kind, record.id), params);
  },
  'crm.item.delete': (state, params) => {
    const kind = kindOfEntityType(params.entityTypeId);
    const { id } = existing(state, kind, params.id);
    if (kind === 'lead') state.deleteLead(id);
    else state.deleteContact(id);
    return [];
  },
  'crm.item.list': (state, params) => {
    const kind = kindOfEntityType(params.entityTypeId);
    const page = itemListPage(state, kind, params);
    const original = originalUfNames(params);
    const items = page.records.map((record) =>
      itemView(state, kind, record, { names: selectedNames(kind, params.select, customNames(record, original)), originalUfNames: original }),
    );
    // A list's page sits under `result.items` here, with `total` and `next` beside `result` as in the legacy lists.
    return new ListAnswer({ items } as unknown as unknown[], page.total, page.next);
  },
  'crm.item.fields': (_state, params) => structuredClone(exampleResult(FIELDS_EXAMPLE[kindOfEntityType(params.entityTypeId)])),
};
