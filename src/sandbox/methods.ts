import { exampleResult } from './contract-data.js';
import type { PortalState } from './portal-state.js';

type Params = Record<string, any>;

/** What the sandbox does for one method, given parameters the contract has already accepted. */
export type MethodHandler = (state: PortalState, params: Params) => unknown;

const flag = (value: unknown) => value === 'Y';
const asId = (value: unknown) => Number(value);

/** Record fields as `crm.*.get` shows them: ids and dates as strings, as Bitrix24 sends them. */
function recordView(id: number, fields: Record<string, unknown>, createdAt: string) {
  return { ...fields, ID: String(id), DATE_CREATE: createdAt, DATE_MODIFY: createdAt };
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
    const lead = state.lead(asId(id));
    const primary = lead.links.find((link) => link.primary)?.contactId;
    return {
      ...recordView(lead.id, lead.fields, lead.createdAt),
      CONTACT_ID: primary === undefined ? null : String(primary),
      CONTACT_IDS: state.sortedLinks(lead.id).map((link) => link.contactId),
    };
  },
  'crm.lead.delete': (state, { id }) => state.deleteLead(asId(id)),
  'crm.contact.add': (state, { fields }) => state.addContact(fields ?? {}),
  'crm.contact.get': (state, { id }) => {
    const contact = state.contact(asId(id));
    return recordView(contact.id, contact.fields, contact.createdAt);
  },
  'crm.contact.delete': (state, { id }) => state.deleteContact(asId(id)),
};
