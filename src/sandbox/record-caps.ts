import { jsonSize } from '../wire/json-size.js';
import { WireError } from '../wire/wire-error.js';
import { heapSize } from './heap-size.js';
import { ENTITY_TYPE_IDS } from './item-fields.js';
import type { ServerBudget } from './server-budget.js';
import type { ContactRecord, LeadRecord, PortalState } from './portal-state.js';

/**
 * Caps on what the portals store, so no run of calls can grow a sandbox without bound. Records and
 * links are counted in bytes of memory (`heapSize` of the fields, plus a fixed cost per record and
 * per link), per portal and over every portal of a server, so a server's records and links take at
 * most `maxServerBytes` however many portals it has.
 */
export interface RecordLimits {
  /** Most leads, and most contacts, a portal holds; an `add` past it is refused (a seed may hold more). */
  maxStoredRecords: number;
  /** Most bytes of JSON one record's fields may take, judged on the record as a change leaves it. */
  maxRecordBytes: number;
  /** Most contacts linked to one lead (the same number a seed from outside may link). */
  maxLinksPerLead: number;
  /** Most lead–contact links one portal holds in all (the same number a seed from outside may hold). */
  maxLinks: number;
  /** Most bytes of memory the records and links of one portal take (as counted here). */
  maxPortalBytes: number;
  /** Most bytes of memory the records and links of all portals of a server take together (a `createSandbox` is a server of one portal). */
  maxServerBytes: number;
}

export const DEFAULT_RECORD_LIMITS: Readonly<RecordLimits> = Object.freeze({
  maxStoredRecords: 100_000,
  maxRecordBytes: 64 * 1024,
  maxLinksPerLead: 10_000,
  maxLinks: 100_000,
  maxPortalBytes: 64 * 1024 * 1024,
  maxServerBytes: 512 * 1024 * 1024,
});

/**
 * What a record takes beside its fields, and what one link takes: about what V8 holds for an empty
 * record (the record, its fields object, its link list, its stamp, its map entry: 387 bytes measured)
 * and for one link in a lead's list (61 measured), on Node 20; test/sandbox/record-caps.test.ts
 * checks that a portal filled to its cap holds no more memory than the cap says.
 */
export const RECORD_OVERHEAD_BYTES = 400;
export const LINK_BYTES = 64;

type Store = 'leads' | 'contacts';
type StoredRecord = LeadRecord | ContactRecord;

/** What one record is charged: its fields as JSON (for `maxRecordBytes`), its links, its bytes of memory. */
interface Footprint {
  fieldBytes: number;
  links: number;
  bytes: number;
}

const linksOf = (record: StoredRecord) => ('links' in record ? record.links.length : 0);

function footprintOf(record: StoredRecord): Footprint {
  const links = linksOf(record);
  return { fieldBytes: jsonSize(record.fields), links, bytes: RECORD_OVERHEAD_BYTES + heapSize(record.fields) + links * LINK_BYTES };
}

/** What one portal stores, record by record, so each change is charged by the difference it makes. */
export class RecordLedger {
  private readonly footprints: Record<Store, Map<number, Footprint>> = { leads: new Map(), contacts: new Map() };
  /** Bytes of memory the portal's records and links take. */
  bytes = 0;
  /** Links of the portal. */
  links = 0;

  constructor(readonly server: ServerBudget) {}

  /** Counts a state afresh (a new portal, a reset), giving back what the old one was charged. */
  recount(state: PortalState): void {
    this.server.used -= this.bytes;
    this.bytes = 0;
    this.links = 0;
    for (const store of ['leads', 'contacts'] as const) {
      this.footprints[store].clear();
      for (const record of state[store].values()) this.set(store, record.id, footprintOf(record));
    }
  }

  footprint(store: Store, id: number): Footprint | undefined {
    return this.footprints[store].get(id);
  }

  set(store: Store, id: number, next: Footprint | undefined): void {
    const previous = this.footprints[store].get(id);
    const bytes = (next?.bytes ?? 0) - (previous?.bytes ?? 0);
    this.bytes += bytes;
    this.server.used += bytes;
    this.links += (next?.links ?? 0) - (previous?.links ?? 0);
    if (next) this.footprints[store].set(id, next);
    else this.footprints[store].delete(id);
  }
}

type Change = 'add' | 'update' | 'delete';

/** The methods that change what a portal stores: which store, and how. Link methods change a lead. */
const CHANGES: Readonly<Record<string, { store: Store; noun: string; change: Change }>> = {
  'crm.lead.add': { store: 'leads', noun: 'lead', change: 'add' },
  'crm.lead.update': { store: 'leads', noun: 'lead', change: 'update' },
  'crm.lead.delete': { store: 'leads', noun: 'lead', change: 'delete' },
  'crm.contact.add': { store: 'contacts', noun: 'contact', change: 'add' },
  'crm.contact.update': { store: 'contacts', noun: 'contact', change: 'update' },
  'crm.contact.delete': { store: 'contacts', noun: 'contact', change: 'delete' },
  'crm.lead.contact.add': { store: 'leads', noun: 'lead', change: 'update' },
  'crm.lead.contact.items.set': { store: 'leads', noun: 'lead', change: 'update' },
  'crm.lead.contact.delete': { store: 'leads', noun: 'lead', change: 'update' },
  'crm.lead.contact.items.delete': { store: 'leads', noun: 'lead', change: 'update' },
};

/** The change a call makes: by method, or for `crm.item.add|update|delete` by its `entityTypeId` (one store, two views). */
function changeOf(method: string, params: Record<string, unknown>) {
  const item = /^crm\.item\.(add|update|delete)$/.exec(method);
  if (item) {
    const kind = Object.entries(ENTITY_TYPE_IDS).find(([, id]) => id === Number(params.entityTypeId))?.[0];
    return kind ? CHANGES[`crm.${kind}.${item[1]}`] : undefined;
  }
  return Object.hasOwn(CHANGES, method) ? CHANGES[method] : undefined;
}

/** The id an `add` answered: the id itself (legacy), or the new item (`crm.item.add`'s `{ item: { id } }`). */
function addedId(result: unknown): number {
  const item = typeof result === 'object' && result !== null ? (result as { item?: { id?: unknown } }).item : undefined;
  return Number(item ? item.id : result);
}

const refuse = (description: string) => new WireError(400, '', description);

/**
 * Which cap, if any, a change from `before` to `after` breaks. Only growth is refused: a change that
 * leaves a count as it was or smaller passes, also where a seed from the program put it over a cap.
 */
export function capBroken(
  noun: string,
  before: Footprint | undefined,
  after: Footprint,
  totals: { portalBytes: number; portalLinks: number; serverBytes: number },
  limits: RecordLimits,
): string | undefined {
  const grows = (key: keyof Footprint) => after[key] > (before?.[key] ?? 0);
  if (grows('fieldBytes') && after.fieldBytes > limits.maxRecordBytes) {
    return `Parameter fields: a ${noun} may hold at most ${limits.maxRecordBytes} bytes of JSON in the sandbox (limits.maxRecordBytes); this change makes ${after.fieldBytes}.`;
  }
  if (grows('links') && after.links > limits.maxLinksPerLead) {
    return `A lead may have at most ${limits.maxLinksPerLead} linked contacts in the sandbox (limits.maxLinksPerLead); this change makes ${after.links}.`;
  }
  if (grows('links') && totals.portalLinks > limits.maxLinks) {
    return `The sandbox portal may hold at most ${limits.maxLinks} lead–contact links in all (limits.maxLinks); this change makes ${totals.portalLinks}. Unlink some, delete leads or reset the portal.`;
  }
  if (grows('bytes') && totals.portalBytes > limits.maxPortalBytes) {
    return `The sandbox portal may store at most ${limits.maxPortalBytes} bytes of memory in records and links (limits.maxPortalBytes); delete some or reset the portal.`;
  }
  if (grows('bytes') && totals.serverBytes > limits.maxServerBytes) {
    return `The sandbox server may store at most ${limits.maxServerBytes} bytes of memory in records and links over all its portals (limits.maxServerBytes); delete records, or reset or remove portals.`;
  }
  return undefined;
}

/** A record to change in place of the stored one: nothing the change does reaches the stored record. */
function copyOf<T extends StoredRecord>(record: T): T {
  const copy = { ...record, fields: structuredClone(record.fields) };
  if ('links' in record) (copy as LeadRecord).links = record.links.map((link) => ({ ...link }));
  return copy;
}

/**
 * Runs a method that changes what a portal stores, within the record caps: the change is made on a
 * copy of the record (an `add` makes its new record), the result is measured after the merge,
 * whatever the merge wrote, and only then stored. Past a cap the call gets a Bitrix24-shaped 400
 * naming it, and the portal stays as it was (a refused `add` may use up an id, as a portal's may).
 * Other methods just run.
 */
export function changeWithinCaps<T>(
  method: string,
  params: Record<string, unknown>,
  state: PortalState,
  ledger: RecordLedger,
  limits: RecordLimits,
  run: () => T,
): T {
  const kind = changeOf(method, params);
  if (!kind) return run();
  const records = state[kind.store] as Map<number, StoredRecord>;
  // Cheap refusals first, before anything runs.
  if (kind.change === 'add' && records.size >= limits.maxStoredRecords) {
    throw refuse(`The sandbox portal holds ${records.size} ${kind.store}, its cap (limits.maxStoredRecords); delete some or reset the portal.`);
  }
  if (kind.change !== 'delete' && jsonSize(params.fields ?? {}, limits.maxRecordBytes) > limits.maxRecordBytes) {
    throw refuse(`Parameter fields: a ${kind.noun} may hold at most ${limits.maxRecordBytes} bytes of JSON in the sandbox (limits.maxRecordBytes).`);
  }

  const id = Number(params.id);
  if (kind.change === 'delete') {
    const result = run();
    if (!records.has(id)) ledger.set(kind.store, id, undefined);
    // Deleting a contact unlinks it from every lead.
    if (kind.store === 'contacts') {
      for (const lead of state.leads.values())
        if (ledger.footprint('leads', lead.id)?.links !== lead.links.length) ledger.set('leads', lead.id, footprintOf(lead));
    }
    return result;
  }

  const stored = kind.change === 'update' ? records.get(id) : undefined;
  if (kind.change === 'update' && !stored) return run(); // the method answers "not found" itself
  let result: T;
  let changedId = id;
  if (stored) {
    records.set(id, copyOf(stored));
    try {
      result = run();
    } catch (error) {
      records.set(id, stored);
      throw error;
    }
  } else {
    result = run();
    changedId = addedId(result);
  }
  const changed = records.get(changedId);
  if (!changed) return result;
  const before = ledger.footprint(kind.store, changedId);
  const after = footprintOf(changed);
  const bytes = after.bytes - (before?.bytes ?? 0);
  const totals = {
    portalBytes: ledger.bytes + bytes,
    portalLinks: ledger.links + after.links - (before?.links ?? 0),
    serverBytes: ledger.server.used + bytes,
  };
  const broken = capBroken(kind.noun, before, after, totals, limits);
  if (broken) {
    if (stored) records.set(changedId, stored);
    else records.delete(changedId);
    throw refuse(broken);
  }
  ledger.set(kind.store, changedId, after);
  return result;
}
