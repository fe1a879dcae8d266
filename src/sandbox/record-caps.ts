import { WireError } from '../wire/wire-error.js';
import { ENTITY_TYPE_IDS } from './item-fields.js';
import { approxJsonSize } from './journal.js';
import type { PortalState } from './portal-state.js';

/**
 * Caps on the records one portal stores, so no run of `add` and `update` calls can grow a sandbox
 * without bound: a portal's memory is at most about `maxStoredRecords` × `maxRecordBytes` per kind.
 */
export interface RecordLimits {
  /** Most leads, and most contacts, a portal holds; an `add` past it is refused (a seed may hold more). */
  maxStoredRecords: number;
  /** Most characters of JSON one record's fields may take, after an `add` or `update`. */
  maxRecordBytes: number;
}

export const DEFAULT_RECORD_LIMITS: Readonly<RecordLimits> = Object.freeze({
  maxStoredRecords: 100_000,
  maxRecordBytes: 64 * 1024,
});

const KINDS: Record<string, { store: 'leads' | 'contacts'; noun: string; change: 'add' | 'update' }> = {
  'crm.lead.add': { store: 'leads', noun: 'lead', change: 'add' },
  'crm.lead.update': { store: 'leads', noun: 'lead', change: 'update' },
  'crm.contact.add': { store: 'contacts', noun: 'contact', change: 'add' },
  'crm.contact.update': { store: 'contacts', noun: 'contact', change: 'update' },
};

/** The kind a call changes: by method, or for `crm.item.add` / `crm.item.update` by its `entityTypeId` . */
function kindOf(method: string, params: Record<string, unknown>) {
  const item = /^crm\.item\.(add|update)$/.exec(method);
  if (item) {
    const entity = (Object.keys(ENTITY_TYPE_IDS) as Array<keyof typeof ENTITY_TYPE_IDS>).find((kind) => ENTITY_TYPE_IDS[kind] === Number(params.entityTypeId));
    return entity ? KINDS[`crm.${entity}.${item[1]}`] : undefined;
  }
  return Object.hasOwn(KINDS, method) ? KINDS[method] : undefined;
}

/**
 * Refuses, with a Bitrix24-shaped 400 naming the cap, an `add` that would pass `maxStoredRecords` or
 * an `add`/`update` whose record could pass `maxRecordBytes` (an update is judged by the record's
 * size plus what it sends, which bounds what the merge can make). Other methods pass.
 */
export function checkRecordCaps(method: string, params: Record<string, unknown>, state: PortalState, limits: RecordLimits): void {
  const kind = kindOf(method, params);
  if (!kind) return;
  const records = state[kind.store];
  if (kind.change === 'add' && records.size >= limits.maxStoredRecords) {
    throw new WireError(400, '', `The sandbox portal holds ${records.size} ${kind.store}, its cap (limits.maxStoredRecords); delete some or reset the portal.`);
  }
  const existing = kind.change === 'update' ? records.get(Number(params.id))?.fields : undefined;
  const size = approxJsonSize(params.fields ?? {}, limits.maxRecordBytes + 1) + (existing ? approxJsonSize(existing, limits.maxRecordBytes + 1) : 0);
  if (size > limits.maxRecordBytes) {
    throw new WireError(
      400,
      '',
      `Parameter fields: a ${kind.noun} may hold at most ${limits.maxRecordBytes} characters of JSON in the sandbox (limits.maxRecordBytes).`,
    );
  }
}
