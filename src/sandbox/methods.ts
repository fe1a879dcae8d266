import { documentedError, exampleResult } from './contract-data.js';
import type { PortalState } from './portal-state.js';
import { defineField, entryView, MULTI_FIELDS, portalText } from './record-fields.js';
import { itemHandlers } from './item-methods.js';
import { recordHandlers } from './record-methods.js';

// biome-ignore lint/suspicious/noExplicitAny: parameters reach a handler only after the contract's validator accepted them
type Params = Record<string, any>;

/** What the sandbox does for one method, given parameters the contract has already accepted. */
export type MethodHandler = (state: PortalState, params: Params) => unknown;

const flag = (value: unknown) => value === 'Y';
const asId = (value: unknown) => Number(value);

/**
 * Record fields as `crm.*.get` shows them: numbers as text (Bitrix24 reads everything back from its
 * database as text), multiple-field entries with an `ID` and `TYPE_ID`, the required fields present.
 */
function recordView(id: number, fields: Record<string, unknown>, createdAt: string, required: readonly string[], kind: 'lead' | 'contact') {
  const view: Record<string, unknown> = { DATE_CREATE: createdAt, DATE_MODIFY: createdAt };
  for (const name of required) view[name] = null;
  for (const [name, value] of Object.entries(fields)) {
    const shown = MULTI_FIELDS.includes(name) && Array.isArray(value) ? value.map((entry: Params) => entryView(name, entry)) : portalText(kind, name, value);
    defineField(view, name, shown);
  }
  view.ID = String(id);
  return view;
}

/** Record methods answer a missing id with the empty-code "Not found" (unlike the link methods). */
function existing<T>(records: ReadonlyMap<number, T>, id: number): T {
  const record = records.get(id);
  if (!record) throw documentedError('recordNotFound');
  return record;
}

/** The methods the sandbox emulates, by wire name. `batch` is run by the batch runner. */
export const methodHandlers: Readonly<Record<string, MethodHandler>> = {
  'crm.lead.contact.fields': () => structuredClone(exampleResult('linkFields')),
  'crm.lead.contact.add': (state, { id, fields }) =>
    state.addLink(asId(id), { contactId: asId(fields.CONTACT_ID), sort: fields.SORT, primary: flag(fields.IS_PRIMARY) }),
  'crm.lead.contact.delete': (state, { id, fields }) => state.removeLink(asId(id), asId(fields.CONTACT_ID)),
  'crm.lead.contact.items.get': (state, { id }) =>
    state.sortedLinks(asId(id)).map((link) => ({
      CONTACT_ID: link.contactId,
      SORT: link.sort,
      ROLE_ID: 0,
      IS_PRIMARY: link.primary ? 'Y' : 'N',
    })),
  'crm.lead.contact.items.set': (state, { id, items }) =>
    state.setLinks(
      asId(id),
      (items as Params[]).map((item) => ({ contactId: asId(item.CONTACT_ID), sort: item.SORT, primary: flag(item.IS_PRIMARY) })),
    ),
  'crm.lead.contact.items.delete': (state, { id }) => state.clearLinks(asId(id)),
  'crm.lead.add': (state, { fields }) => state.addLead(fields ?? {}),
  'crm.lead.get': (state, { id }) => {
    const lead = existing(state.leads, asId(id));
    const primary = lead.links.find((link) => link.primary)?.contactId;
    return {
      ...recordView(lead.id, lead.fields, lead.createdAt, ['TITLE'], 'lead'),
      CONTACT_ID: primary === undefined ? null : String(primary),
      CONTACT_IDS: state.sortedLinks(lead.id).map((link) => link.contactId),
    };
  },
  'crm.lead.delete': (state, { id }) => state.deleteLead(existing(state.leads, asId(id)).id),
  'crm.contact.add': (state, { fields }) => state.addContact(fields ?? {}),
  'crm.contact.get': (state, { id }) => {
    const contact = existing(state.contacts, asId(id));
    return recordView(contact.id, contact.fields, contact.createdAt, ['NAME', 'LAST_NAME'], 'contact');
  },
  'crm.contact.delete': (state, { id }) => state.deleteContact(existing(state.contacts, asId(id)).id),
  ...recordHandlers,
  ...itemHandlers,
};
