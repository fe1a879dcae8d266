import { heapSize } from './heap-size.js';
import { randomHex } from './oauth.js';
import { ServerBudget } from './server-budget.js';

/** One queued offline event, as `event.offline.list` shows it. */
export interface OfflineRow {
  ID: string;
  TIMESTAMP_X: string;
  EVENT_NAME: string;
  EVENT_DATA: unknown;
  EVENT_ADDITIONAL: { user_id: string };
  MESSAGE_ID: string;
  PROCESS_ID: string;
  ERROR: '0' | '1';
}

interface Row extends OfflineRow {
  clientId: string;
  connector: string;
  /** Bytes charged to the server's app budget for this row. */
  cost: number;
}

/** Room for the 32-hex `PROCESS_ID` a reservation writes into a row, charged when it is queued. */
const PROCESS_ID_BYTES = 32;

/**
 * A stable 32-hex id for an event and its data: the portal keys offline rows by
 * md5(event | json(data)); the sandbox uses FNV-1a (no md5 in browsers), which only needs to be stable.
 */
export function messageId(event: string, data: unknown): string {
  const text = `${event}|${JSON.stringify(data)}`;
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let hash = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out;
}

const stamp = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
const publicRow = ({ clientId: _c, connector: _k, cost: _b, ...row }: Row): OfflineRow => structuredClone(row);
const view = (row: Row) => {
  const { PROCESS_ID: _p, ERROR: _e, ...rest } = publicRow(row);
  return rest;
};

/**
 * The offline queue of one portal: one row per app, connector, event and object (a later change
 * refreshes the row's time), read with reservations (`process_id`) or deleted on read. Capped: past
 * `maxRows`, or past the server's app budget, the portal's oldest row is dropped.
 */
export class OfflineQueue {
  private rows: Row[] = [];
  private nextId = 1;

  constructor(
    private readonly maxRows: number,
    private readonly now: () => number,
    private readonly budget: ServerBudget = new ServerBudget(Number.MAX_SAFE_INTEGER),
  ) {}

  /** Keeps the rows `keep` accepts and gives the others' bytes back to the budget. */
  private retain(keep: (row: Row) => boolean) {
    this.rows = this.rows.filter((row) => {
      if (keep(row)) return true;
      this.budget.used -= row.cost;
      return false;
    });
  }

  private dropOldest() {
    this.budget.used -= this.rows.shift()!.cost;
  }

  /** Gives every row's bytes back (the queue is being replaced). */
  release() {
    this.retain(() => false);
  }

  /** Queues (or refreshes) the row of this event and object for the app. */
  push(clientId: string, connector: string, event: string, data: unknown, userId: number) {
    const id = messageId(event, data);
    const existing = this.rows.find((row) => row.clientId === clientId && row.connector === connector && row.MESSAGE_ID === id && row.PROCESS_ID === '');
    if (existing) {
      existing.TIMESTAMP_X = stamp(this.now());
      return;
    }
    if (this.rows.length >= this.maxRows) this.dropOldest();
    const row: Row = {
      ID: String(this.nextId++),
      TIMESTAMP_X: stamp(this.now()),
      EVENT_NAME: event,
      EVENT_DATA: data,
      EVENT_ADDITIONAL: { user_id: String(userId) },
      MESSAGE_ID: id,
      PROCESS_ID: '',
      ERROR: '0',
      clientId,
      connector,
      cost: 0,
    };
    row.cost = heapSize(row) + PROCESS_ID_BYTES;
    this.rows.push(row);
    this.budget.used += row.cost;
    while (this.budget.over && this.rows.length > 1) this.dropOldest();
  }

  /**
   * `event.offline.get`: with `clear`, the oldest `limit` free rows are deleted and answered; without,
   * the rows already reserved under `processId` and then free ones (up to `limit`) are reserved under
   * it (a new id when none is given).
   */
  get(clientId: string, connector: string, { limit, clear, processId, error }: { limit: number; clear: boolean; processId?: string; error: boolean }) {
    const mine = (row: Row) => row.clientId === clientId && row.connector === connector && (row.ERROR === '1') === error;
    const byTime = (a: Row, b: Row) => a.TIMESTAMP_X.localeCompare(b.TIMESTAMP_X) || Number(a.ID) - Number(b.ID);
    if (clear) {
      const taken = this.rows
        .filter((row) => mine(row) && row.PROCESS_ID === '')
        .sort(byTime)
        .slice(0, limit);
      const gone = new Set(taken);
      this.retain((row) => !gone.has(row));
      return { process_id: null, events: taken.map(view) };
    }
    const id = processId || randomHex();
    const held = processId ? this.rows.filter((row) => mine(row) && row.PROCESS_ID === processId).sort(byTime) : [];
    const free = this.rows
      .filter((row) => mine(row) && row.PROCESS_ID === '')
      .sort(byTime)
      .slice(0, Math.max(0, limit - held.length));
    for (const row of free) row.PROCESS_ID = id;
    return { process_id: id, events: [...held.slice(0, limit), ...free].map(view) };
  }

  /** `event.offline.clear`: deletes the reservation's rows (only those named, when ids are given). */
  clear(clientId: string, processId: string, ids?: readonly string[], messageIds?: readonly string[]) {
    this.retain((row) => {
      if (row.clientId !== clientId || row.PROCESS_ID !== processId) return true;
      if (ids && !ids.includes(row.ID)) return true;
      if (messageIds && !messageIds.includes(row.MESSAGE_ID)) return true;
      return false;
    });
    return true;
  }

  /** `event.offline.list`: a page of the app's rows by id, unchanged. */
  list(clientId: string, start: number, pageSize: number) {
    const mine = this.rows.filter((row) => row.clientId === clientId).sort((a, b) => Number(a.ID) - Number(b.ID));
    return { rows: mine.slice(start, start + pageSize).map(publicRow), total: mine.length };
  }

  get size() {
    return this.rows.length;
  }
}
