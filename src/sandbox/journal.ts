import { jsonSize } from '../wire/json-size.js';
import { heapSize } from './heap-size.js';
import { ADMIN_PAGE_BYTES } from './limits.js';
import { ServerBudget } from './server-budget.js';
import type { ErrorBody } from '../wire/wire-error.js';

/** One entry of the journal: a call as the sandbox saw it and answered it. */
export interface SandboxCall {
  method: string;
  /** Parameters as decoded (form values typed by the contract), without `auth`, also inside batch commands. */
  params: Record<string, unknown>;
  status: number;
  result?: unknown;
  error?: ErrorBody;
  /** For a command of a batch: its key in `cmd`. */
  batchKey?: string;
  /** What was left out of this entry for its size (see `maxRejectedParamsBytes` and `maxJournalBytes`). */
  omitted?: Array<'params' | 'result'>;
}

/**
 * Caps on each portal's journal. Past either of the first two the oldest entries are dropped (and
 * counted), so a long-running server keeps the latest calls in bounded memory.
 */
export interface JournalLimits {
  /** Most entries kept. */
  maxJournalEntries: number;
  /** Most bytes of JSON the kept entries may add up to (as the admin API sends them). */
  maxJournalBytes: number;
  /** A rejected call keeps parameters up to this size; larger ones are left out (`omitted: ['params']`). */
  maxRejectedParamsBytes: number;
  /**
   * Most bytes of memory (counted as `heapSize` counts) the journals of all portals of a server keep
   * together. Past it, the portal that adds an entry drops its own oldest ones, down to the new entry,
   * which is then kept without its result and parameters.
   */
  maxServerJournalBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: Readonly<JournalLimits> = Object.freeze({
  maxJournalEntries: 10_000,
  maxJournalBytes: 8 * 1024 * 1024,
  maxRejectedParamsBytes: 16 * 1024,
  maxServerJournalBytes: 256 * 1024 * 1024,
});

/** The most bytes of JSON one page of `GET /__sandbox/calls` holds (one entry at least). */
export const JOURNAL_PAGE_BYTES = ADMIN_PAGE_BYTES;

const urldecode = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

/** Whether a `key=value` pair of a command's query is `auth` (or `auth[…]`), however it is percent-encoded. */
function isAuthPair(pair: string): boolean {
  const eq = pair.indexOf('=');
  const key = urldecode(eq < 0 ? pair : pair.slice(0, eq)).trim();
  return key === 'auth' || key.startsWith('auth[');
}

/** A batch command line (`method?query`) without its `auth` pairs, so the journal never holds a token. */
export function withoutAuth(line: string): string {
  const q = line.indexOf('?');
  if (q < 0 || !/auth|%/i.test(line)) return line;
  const pairs = line.slice(q + 1).split('&');
  const kept = pairs.filter((pair) => !isAuthPair(pair));
  return kept.length === pairs.length ? line : `${line.slice(0, q + 1)}${kept.join('&')}`;
}

function journalParams(entry: SandboxCall): Record<string, unknown> {
  const { auth: _auth, ...params } = entry.params;
  const { cmd } = params;
  if (entry.method !== 'batch' || typeof cmd !== 'object' || cmd === null) return params;
  const clean = (line: unknown) => (typeof line === 'string' ? withoutAuth(line) : line);
  return {
    ...params,
    cmd: Array.isArray(cmd) ? cmd.map(clean) : Object.fromEntries(Object.entries(cmd).map(([key, line]) => [key, clean(line)])),
  };
}

/**
 * Makes an entry fit the journal: `auth` removed (also from batch command lines), a rejected call's
 * oversized parameters left out, and an entry larger than the whole journal stripped of its result
 * and then its parameters. Returns the entry and its size in bytes of JSON.
 */
export function journalEntry(entry: SandboxCall, limits: JournalLimits): { entry: SandboxCall; size: number } {
  const stored: SandboxCall = { ...entry, params: journalParams(entry) };
  const omitted: Array<'params' | 'result'> = [];
  const omit = (part: 'params' | 'result') => {
    omitted.push(part);
    if (part === 'params') stored.params = {};
    else delete stored.result;
  };
  if (stored.status >= 400 && jsonSize(stored.params, limits.maxRejectedParamsBytes) > limits.maxRejectedParamsBytes) omit('params');
  let size = jsonSize(stored, limits.maxJournalBytes);
  if (size > limits.maxJournalBytes && 'result' in stored) {
    omit('result');
    size = jsonSize(stored, limits.maxJournalBytes);
  }
  if (size > limits.maxJournalBytes && !omitted.includes('params')) {
    omit('params');
    size = jsonSize(stored, limits.maxJournalBytes);
  }
  if (omitted.length > 0) {
    stored.omitted = omitted;
    size += 24;
  }
  return { entry: stored, size };
}

/**
 * The calls of one portal, oldest first, bounded by entries and by size. Dropping the oldest is
 * amortised: a run of dropped entries is cut off the array in one go.
 */
export class Journal {
  private entries: SandboxCall[] = [];
  private sizes: number[] = [];
  /** Each entry's bytes of memory, charged to the server's journal budget. */
  private heaps: number[] = [];
  private head = 0;
  private bytes = 0;
  private heap = 0;
  /** Entries dropped (oldest first) since the journal was last emptied. */
  dropped = 0;

  constructor(
    private readonly limits: JournalLimits,
    private readonly server: ServerBudget = new ServerBudget(limits.maxServerJournalBytes),
  ) {}

  add(call: SandboxCall): void {
    this.push(journalEntry(call, this.limits));
    while (
      this.entries.length - this.head > 1 &&
      (this.entries.length - this.head > this.limits.maxJournalEntries || this.bytes > this.limits.maxJournalBytes || this.server.over)
    ) {
      this.bytes -= this.sizes[this.head]!;
      this.heap -= this.heaps[this.head]!;
      this.server.used -= this.heaps[this.head]!;
      this.head++;
      this.dropped++;
    }
    if (this.server.over && !this.entries.at(-1)?.omitted?.includes('params')) {
      // The server's journals are full: the new entry is kept bare, so the total stays near the cap.
      this.pop();
      this.push(journalEntry(call, { ...this.limits, maxJournalBytes: 0 }));
    }
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) this.compact();
  }

  private push({ entry, size }: { entry: SandboxCall; size: number }) {
    // Copies, made once what is kept is known: the parameters and result share objects with the
    // stored records, and `sandbox.calls` hands entries out, so an edit there must not reach a record.
    entry.params = structuredClone(entry.params);
    if ('result' in entry) entry.result = structuredClone(entry.result);
    const heap = heapSize(entry);
    this.entries.push(entry);
    this.sizes.push(size);
    this.heaps.push(heap);
    this.bytes += size;
    this.heap += heap;
    this.server.used += heap;
  }

  private pop() {
    this.entries.pop();
    const heap = this.heaps.pop()!;
    this.bytes -= this.sizes.pop()!;
    this.heap -= heap;
    this.server.used -= heap;
  }

  private compact() {
    if (this.head === 0) return;
    this.entries = this.entries.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.heaps = this.heaps.slice(this.head);
    this.head = 0;
  }

  /** The kept entries, oldest first. */
  get calls(): readonly SandboxCall[] {
    this.compact();
    return this.entries;
  }

  /** Bytes of JSON the kept entries add up to. */
  get size(): number {
    return this.bytes;
  }

  clear(): void {
    this.server.used -= this.heap;
    this.entries = [];
    this.sizes = [];
    this.heaps = [];
    this.head = 0;
    this.bytes = 0;
    this.heap = 0;
    this.dropped = 0;
  }
}

export interface JournalPage<T = SandboxCall> {
  /** The entries of this page, oldest first. */
  result: T[];
  /** Position of the next page's first entry (pass it as `start`); absent on the last page. */
  next?: number;
  /** Entries kept now. */
  total: number;
  /** Entries dropped so far; positions count them, so the oldest kept entry is at position `dropped`. */
  dropped: number;
}

/**
 * One page of a journal, as `GET /__sandbox/calls?start=&limit=` answers it. Positions count every
 * entry since the journal was last emptied, dropped ones included, so a reader that follows `next`
 * never sees an entry twice while the journal keeps growing. A page ends at `limit` entries or at
 * `maxBytes` bytes of JSON (but holds one entry at least), so no answer outgrows a string.
 */
export function journalPage<T = SandboxCall>(
  calls: readonly T[],
  dropped: number,
  { start = dropped, limit = Number.POSITIVE_INFINITY }: { start?: number; limit?: number },
  maxBytes: number = JOURNAL_PAGE_BYTES,
): JournalPage<T> {
  const result: T[] = [];
  let index = Math.max(0, start - dropped);
  let bytes = 0;
  for (; index < calls.length && result.length < limit; index++) {
    const size = jsonSize(calls[index], maxBytes);
    if (result.length > 0 && bytes + size > maxBytes) break;
    bytes += size;
    result.push(calls[index]!);
  }
  return { result, ...(index < calls.length ? { next: dropped + index } : {}), total: calls.length, dropped };
}
