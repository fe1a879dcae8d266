import { documentedError, exampleResult } from './contract-data.js';
import { IdMap } from './id-index.js';

/** One contact linked to a lead. */
export interface Link {
  contactId: number;
  sort: number;
  primary: boolean;
}

export interface LeadRecord {
  id: number;
  fields: Record<string, unknown>;
  links: Link[];
  createdAt: string;
}

export interface ContactRecord {
  id: number;
  fields: Record<string, unknown>;
  createdAt: string;
}

/** A link in a seed: a contact id, or the link as `items.set` takes it. */
export type SeedLink = number | { CONTACT_ID: number; SORT?: number; IS_PRIMARY?: 'Y' | 'N' };

/**
 * What a portal holds before the first call. Ids alone are enough (`{ leads: [1], contacts: [1010] }`);
 * the richer forms add fields and links.
 */
export interface Seed {
  leads?: Array<number | { id: number; fields?: Record<string, unknown>; contacts?: SeedLink[] }>;
  contacts?: Array<number | { id: number; fields?: Record<string, unknown> }>;
}

/** A record's fields as a documented example shows them, without what the sandbox derives (id, links). */
function exampleFields(name: string): Record<string, unknown> {
  const { ID: _id, CONTACT_ID: _primary, CONTACT_IDS: _links, ...fields } = (exampleResult(name) ?? {}) as Record<string, unknown>;
  return fields;
}

/**
 * The records the contract's examples use (openapi/README.md, "Example records"), with the fields the
 * examples show, so every documented example works against a fresh sandbox.
 */
export const DEFAULT_SEED: Readonly<Seed> = Object.freeze<Seed>({
  leads: [
    {
      id: 1,
      fields: exampleFields('leadWithContacts'),
      contacts: [
        { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' },
        { CONTACT_ID: 1011, SORT: 20 },
      ],
    },
    { id: 2, fields: exampleFields('leadWithoutContacts') },
  ],
  contacts: [{ id: 1010, fields: exampleFields('contactRecord') }, 1011, 1020],
});

/** The largest id, or 0: a loop, since spreading 130,000 ids into `Math.max` overflows the stack. */
function largest(ids: Iterable<number>): number {
  let max = 0;
  for (const id of ids) if (id > max) max = id;
  return max;
}

const sortLinks = (links: readonly Link[]) => links.slice().sort((a, b) => a.sort - b.sort || a.contactId - b.contactId);

/** A change that raises a record event on a portal (ONCRMLEADADD, …). Link changes raise none. */
export interface RecordChange {
  kind: 'lead' | 'contact';
  action: 'ADD' | 'UPDATE' | 'DELETE';
  id: number;
}

export interface LinkInput {
  contactId: number;
  sort?: number;
  primary?: boolean;
}

/**
 * The records of one portal and the rules of the lead–contact links. Each rule is stated in the
 * contract's operation descriptions (and marked there where it is taken from the deal sibling).
 */
export class PortalState {
  // Id-ordered maps: list pages find an id window by binary search (id-index.ts).
  readonly leads = new IdMap<LeadRecord>();
  readonly contacts = new IdMap<ContactRecord>();
  private nextId = { lead: 1, contact: 1 };
  /**
   * Told of every record change that raises an event (app-events.ts). Every method that adds, changes
   * or deletes a record through this class reaches it: the add and delete methods here call it, and
   * an update path calls {@link recordChanged} once it has changed a record. Link methods never do
   * (on a portal they write the link table directly; inferred from the module source).
   */
  onRecordChange: ((change: RecordChange) => void) | undefined;

  constructor(
    seed: Seed,
    private readonly now: () => number,
  ) {
    for (const entry of seed.contacts ?? []) {
      const { id, fields = {} } = typeof entry === 'number' ? { id: entry } : entry;
      this.contacts.set(id, { id, fields: { ...fields }, createdAt: this.stamp() });
    }
    for (const entry of seed.leads ?? []) {
      const { id, fields = {}, contacts = [] } = typeof entry === 'number' ? { id: entry } : entry;
      this.leads.set(id, { id, fields: { ...fields }, links: [], createdAt: this.stamp() });
      for (const link of contacts) {
        const item = typeof link === 'number' ? { CONTACT_ID: link } : link;
        if (!this.contacts.has(item.CONTACT_ID)) this.contacts.set(item.CONTACT_ID, { id: item.CONTACT_ID, fields: {}, createdAt: this.stamp() });
      }
      if (contacts.length > 0) {
        this.setLinks(
          id,
          contacts.map((link) =>
            typeof link === 'number' ? { contactId: link } : { contactId: link.CONTACT_ID, sort: link.SORT, primary: link.IS_PRIMARY === 'Y' },
          ),
        );
      }
    }
    this.nextId = { lead: largest(this.leads.keys()) + 1, contact: largest(this.contacts.keys()) + 1 };
  }

  /** Reports a record change to the observer (an update path calls it after changing a record's fields). */
  recordChanged(kind: RecordChange['kind'], action: RecordChange['action'], id: number) {
    this.onRecordChange?.({ kind, action, id });
  }

  private stamp() {
    return `${new Date(this.now()).toISOString().slice(0, 19)}+00:00`;
  }

  lead(id: number): LeadRecord {
    const lead = this.leads.get(id);
    if (!lead) throw documentedError('leadNotFound');
    return lead;
  }

  private requireContact(id: number) {
    if (!this.contacts.has(id)) throw documentedError('leadNotFound');
  }

  /** Links as `items.get` lists them: by `SORT`, then by contact id. */
  sortedLinks(leadId: number): Link[] {
    return sortLinks(this.lead(leadId).links);
  }

  primaryOf(leadId: number): number | undefined {
    return this.lead(leadId).links.find((link) => link.primary)?.contactId;
  }

  /** `crm.lead.contact.add`: false when the contact is already linked (nothing changes then). */
  addLink(leadId: number, { contactId, sort = 10, primary = false }: LinkInput): boolean {
    const lead = this.lead(leadId);
    this.requireContact(contactId);
    if (lead.links.some((link) => link.contactId === contactId)) return false;
    const becomesPrimary = primary || !lead.links.some((link) => link.primary);
    if (becomesPrimary) for (const link of lead.links) link.primary = false;
    lead.links.push({ contactId, sort, primary: becomesPrimary });
    return true;
  }

  /** `crm.lead.contact.delete`: false when the contact was not linked; the primary passes to the first remaining link. */
  removeLink(leadId: number, contactId: number): boolean {
    const lead = this.lead(leadId);
    this.requireContact(contactId);
    const index = lead.links.findIndex((link) => link.contactId === contactId);
    if (index < 0) return false;
    const [removed] = lead.links.splice(index, 1);
    if (removed!.primary) this.promoteFirst(lead);
    return true;
  }

  private promoteFirst(lead: LeadRecord) {
    const first = sortLinks(lead.links)[0];
    if (first) first.primary = true;
  }

  /**
   * `crm.lead.contact.items.set`: the list replaces every link; the first `Y` is primary, else the
   * first item; a missing `SORT` is `(i + 1) * 10`; a contact listed twice keeps its first entry.
   */
  setLinks(leadId: number, items: LinkInput[]): boolean {
    const lead = this.lead(leadId);
    for (const item of items) this.requireContact(item.contactId);
    const links: Link[] = [];
    const seen = new Set<number>();
    items.forEach((item, i) => {
      if (seen.has(item.contactId)) return;
      seen.add(item.contactId);
      links.push({ contactId: item.contactId, sort: item.sort ?? (i + 1) * 10, primary: false });
    });
    const primaryContact = (items.find((item) => item.primary) ?? items[0])?.contactId;
    for (const link of links) link.primary = link.contactId === primaryContact;
    lead.links = links;
    return true;
  }

  /** `crm.lead.contact.items.delete`. */
  clearLinks(leadId: number): boolean {
    this.lead(leadId).links = [];
    return true;
  }

  addLead(fields: Record<string, unknown>): number {
    const id = this.nextId.lead++;
    const { CONTACT_ID, CONTACT_IDS, ...rest } = fields;
    const lead: LeadRecord = { id, fields: { IS_RETURN_CUSTOMER: 'N', ...rest }, links: [], createdAt: this.stamp() };
    this.leads.set(id, lead);
    // A lead created with contacts is linked to them, as the record form of items.set (known contacts only).
    const ids = [...(Array.isArray(CONTACT_IDS) ? CONTACT_IDS : []), ...(CONTACT_ID ? [CONTACT_ID] : [])]
      .map(Number)
      .filter((contactId) => this.contacts.has(contactId));
    if (ids.length > 0) {
      const primary = CONTACT_ID && this.contacts.has(Number(CONTACT_ID)) ? Number(CONTACT_ID) : ids[0];
      this.setLinks(
        id,
        ids.map((contactId) => ({ contactId, primary: contactId === primary })),
      );
    }
    // crm.lead.add documents it: a lead created with a contact or company is a repeat lead.
    if (ids.length > 0 || CONTACT_ID || rest.COMPANY_ID) lead.fields.IS_RETURN_CUSTOMER = 'Y';
    this.recordChanged('lead', 'ADD', id);
    return id;
  }

  deleteLead(id: number): boolean {
    this.lead(id);
    this.leads.delete(id);
    this.recordChanged('lead', 'DELETE', id);
    return true;
  }

  contact(id: number): ContactRecord {
    const contact = this.contacts.get(id);
    if (!contact) throw documentedError('leadNotFound');
    return contact;
  }

  addContact(fields: Record<string, unknown>): number {
    const id = this.nextId.contact++;
    this.contacts.set(id, { id, fields: { ...fields }, createdAt: this.stamp() });
    this.recordChanged('contact', 'ADD', id);
    return id;
  }

  /** Deleting a contact unlinks it from every lead, as deleting its link would. */
  deleteContact(id: number): boolean {
    this.contact(id);
    for (const lead of this.leads.values()) if (lead.links.some((link) => link.contactId === id)) this.removeLink(lead.id, id);
    this.contacts.delete(id);
    // Its leads lose the link silently: only ONCRMCONTACTDELETE (inferred from the module source).
    this.recordChanged('contact', 'DELETE', id);
    return true;
  }
}
