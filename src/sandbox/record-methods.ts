import { documentedError, exampleResult } from './contract-data.js';
import { findByCommunication } from './find-by-comm.js';
import { ListAnswer, listPage } from './list-query.js';
import type { ContactRecord, LeadRecord, PortalState } from './portal-state.js';
import { applyMultiFieldEdits, MULTI_FIELDS, portalText, RECORD_FIELDS, type RecordKind } from './record-fields.js';

// biome-ignore lint/suspicious/noExplicitAny: parameters reach a handler only after the contract's validator accepted them
type Params = Record<string, any>;
type StoredRecord = LeadRecord | ContactRecord;

/** A field's raw value for filtering and sorting: what the record stores, or what the portal derives. */
function reader(state: PortalState, kind: RecordKind) {
  return (record: StoredRecord, field: string): unknown => {
    switch (field) {
      case 'ID':
        return record.id;
      case 'DATE_CREATE':
        return record.fields.DATE_CREATE ?? record.createdAt;
      case 'DATE_MODIFY':
        return record.fields.DATE_MODIFY ?? record.createdAt;
      case 'HAS_PHONE':
      case 'HAS_EMAIL':
        return Array.isArray(record.fields[field.slice(4)]) && (record.fields[field.slice(4)] as unknown[]).length > 0 ? 'Y' : 'N';
    }
    if (kind === 'lead' && field === 'CONTACT_ID') return state.primaryOf(record.id);
    if (kind === 'lead' && field === 'CONTACT_IDS') return state.sortedLinks(record.id).map((link) => link.contactId);
    const value = record.fields[field];
    if (MULTI_FIELDS.includes(field)) return Array.isArray(value) ? value.map((entry: Params) => entry?.VALUE) : [];
    return value;
  };
}

/** Entries of a multiple field as the read methods show them: an `ID` and `TYPE_ID` on each. */
function entriesView(recordId: number, fields: Record<string, unknown>, name: string) {
  let entryId = recordId * 100;
  for (const [other, value] of Object.entries(fields)) {
    if (other === name) break;
    if (MULTI_FIELDS.includes(other) && Array.isArray(value)) entryId += value.length;
  }
  return (fields[name] as Params[]).map((entry) => ({ ID: String(++entryId), TYPE_ID: name, ...entry, VALUE: String(entry.VALUE) }));
}

/**
 * One record as a list sends it: `ID` always (inferred), `*` = every standard field that is not
 * multiple, `UF_*` = every custom field the record holds, named fields as asked; multiple fields only
 * when named and only when they have entries; unset fields `null`; ids and amounts as text.
 */
function listView(state: PortalState, kind: RecordKind, record: StoredRecord, select: readonly string[]) {
  const read = reader(state, kind);
  const names = new Set<string>(['ID']);
  for (const entry of select.length > 0 ? select : ['*', 'UF_*']) {
    if (entry === '*') {
      for (const [name, info] of Object.entries(RECORD_FIELDS[kind])) if (!info.isMultiple) names.add(name);
    } else if (entry.toUpperCase() === 'UF_*') {
      for (const name of Object.keys(record.fields)) if (name.startsWith('UF_')) names.add(name);
    } else {
      names.add(entry.toUpperCase());
    }
  }
  const view: Record<string, unknown> = {};
  for (const name of names) {
    if (MULTI_FIELDS.includes(name)) {
      if (Array.isArray(record.fields[name]) && (record.fields[name] as unknown[]).length > 0) view[name] = entriesView(record.id, record.fields, name);
      continue;
    }
    const known = Object.hasOwn(RECORD_FIELDS[kind], name) || Object.hasOwn(record.fields, name);
    if (!known) continue; // a portal ignores a selected name it does not know
    const value = read(record, name);
    view[name] = name === 'CONTACT_IDS' ? value : value === undefined ? null : portalText(kind, name, value);
  }
  return view;
}

function listMethod(kind: RecordKind) {
  return (state: PortalState, params: Params) => {
    const records = kind === 'lead' ? state.leads : state.contacts;
    const page = listPage<StoredRecord>(kind, records as never, params, reader(state, kind));
    return new ListAnswer(
      page.records.map((record) => listView(state, kind, record, params.select ?? [])),
      page.total,
      page.next,
    );
  };
}

/** Standard and custom fields of an update: multiple fields edited entry by entry, the rest replaced. */
function applyFields(record: StoredRecord, fields: Params) {
  for (const [name, value] of Object.entries(fields)) {
    if (MULTI_FIELDS.includes(name) && Array.isArray(value)) applyMultiFieldEdits(record.id, record.fields, name, value);
    else record.fields[name] = value;
  }
}

const knownContacts = (state: PortalState, ids: unknown[]) => [...new Set(ids.map(Number))].filter((id) => state.contacts.has(id));

/**
 * `crm.lead.update`. Links, in the rules the contract states (inferred): `CONTACT_IDS` replaces the
 * list as `items.set` does, `CONTACT_ID` among them is primary; `CONTACT_ID` alone links the contact
 * when needed and makes it primary. Either, or `COMPANY_ID`, makes the lead a repeat lead.
 */
function updateLead(state: PortalState, { id, fields }: Params) {
  const lead = state.leads.get(Number(id));
  if (!lead) throw documentedError('recordNotFound');
  const { ID: _id, IS_RETURN_CUSTOMER: _flag, CONTACT_ID, CONTACT_IDS, ...rest } = fields as Params;
  applyFields(lead, rest);
  const primary = CONTACT_ID === undefined || CONTACT_ID === null || CONTACT_ID === '' ? undefined : Number(CONTACT_ID);
  if (Array.isArray(CONTACT_IDS)) {
    const ids = knownContacts(state, CONTACT_IDS);
    const first = primary !== undefined && ids.includes(primary) ? primary : ids[0];
    state.setLinks(
      lead.id,
      ids.map((contactId) => ({ contactId, primary: contactId === first })),
    );
  } else if (primary !== undefined && state.contacts.has(primary)) {
    if (!state.addLink(lead.id, { contactId: primary, primary: true })) for (const link of lead.links) link.primary = link.contactId === primary;
  }
  if (primary !== undefined || Array.isArray(CONTACT_IDS) || rest.COMPANY_ID) lead.fields.IS_RETURN_CUSTOMER = 'Y';
  // Raised on every successful update, links only or nothing changed included (inferred from the module source).
  state.recordChanged('lead', 'UPDATE', lead.id);
  return true;
}

function updateContact(state: PortalState, { id, fields }: Params) {
  const contact = state.contacts.get(Number(id));
  if (!contact) throw documentedError('contactNotFoundOnUpdate');
  const { ID: _id, ...rest } = fields as Params;
  applyFields(contact, rest);
  state.recordChanged('contact', 'UPDATE', contact.id);
  return true;
}

/** The record methods beyond add/get/delete: list, update, fields, and the duplicate search. */
export const recordHandlers: Readonly<Record<string, (state: PortalState, params: Params) => unknown>> = {
  'crm.lead.list': listMethod('lead'),
  'crm.contact.list': listMethod('contact'),
  'crm.lead.update': updateLead,
  'crm.contact.update': updateContact,
  'crm.lead.fields': () => structuredClone(exampleResult('leadFields')),
  'crm.contact.fields': () => structuredClone(exampleResult('contactFields')),
  'crm.duplicate.findbycomm': (state, params) => findByCommunication(state, params as never),
};
