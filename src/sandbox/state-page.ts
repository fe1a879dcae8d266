import { jsonSize } from '../wire/json-size.js';

/** One page of a portal's records, as `GET /__sandbox/state?start=&limit=` answers it. */
export interface StatePage {
  /** The records of this page: leads (with their links) by id, then contacts by id. */
  result: { leads: unknown[]; contacts: unknown[] };
  /** Position of the next page's first record (pass it as `start`); absent on the last page. */
  next?: number;
  /** Records held now, leads and contacts together. */
  total: number;
}

/**
 * One page of a state, read record by record: positions run over the leads by id and then the
 * contacts by id. A page ends at `limit` records or at `maxBytes` bytes of JSON (but holds one
 * record at least), so no read of a large portal builds an oversized string. Pages taken while the
 * portal changes may miss or repeat a record near their edges.
 */
export function statePage(
  leadIds: readonly number[],
  contactIds: readonly number[],
  read: { lead: (id: number) => unknown; contact: (id: number) => unknown },
  { start = 0, limit = Number.POSITIVE_INFINITY }: { start?: number; limit?: number },
  maxBytes: number,
): StatePage {
  const total = leadIds.length + contactIds.length;
  const result: StatePage['result'] = { leads: [], contacts: [] };
  let index = start;
  let count = 0;
  let bytes = 0;
  for (; index < total && count < limit; index++) {
    const isLead = index < leadIds.length;
    const record = isLead ? read.lead(leadIds[index]!) : read.contact(contactIds[index - leadIds.length]!);
    const size = jsonSize(record, maxBytes);
    if (count > 0 && bytes + size > maxBytes) break;
    bytes += size;
    count++;
    (isLead ? result.leads : result.contacts).push(record);
  }
  return { result, ...(index < total ? { next: index } : {}), total };
}
