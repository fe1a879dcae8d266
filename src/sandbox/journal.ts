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
  /** Most characters of JSON the kept entries may add up to (measured approximately, as the admin API sends them). */
  maxJournalBytes: number;
  /** A rejected call keeps parameters up to this size; larger ones are left out (`omitted: ['params']`). */
  maxRejectedParamsBytes: number;
}

export const DEFAULT_JOURNAL_LIMITS: Readonly<JournalLimits> = Object.freeze({
  maxJournalEntries: 10_000,
  maxJournalBytes: 8 * 1024 * 1024,
  maxRejectedParamsBytes: 16 * 1024,
});

/** The most characters of JSON one page of `GET /__sandbox/calls` holds (one entry at least). */
export const JOURNAL_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * About how many characters `JSON.stringify(value)` would write, counted without building it. Stops
 * as soon as the count passes `limit` (and then returns more than `limit`), so measuring a huge value
 * costs no more than measuring `limit` characters of it. Escapes are not counted.
 */
export function approxJsonSize(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    const node = stack.pop();
    if (typeof node === 'string') size += node.length + 3;
    else if (typeof node === 'number' || typeof node === 'bigint') size += 12;
    else if (typeof node === 'boolean' || node === null || node === undefined) size += 6;
    else if (Array.isArray(node)) {
      size += 2;
      for (const item of node) stack.push(item);
    } else if (typeof node === 'object') {
      size += 2;
      for (const key of Object.keys(node)) {
        size += key.length + 4;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return size;
}

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
 * and then its parameters. Returns the entry and its approximate size.
 */
export function journalEntry(entry: SandboxCall, limits: JournalLimits): { entry: SandboxCall; size: number } {
  const stored: SandboxCall = { ...entry, params: journalParams(entry) };
  const omitted: Array<'params' | 'result'> = [];
  const omit = (part: 'params' | 'result') => {
    omitted.push(part);
    if (part === 'params') stored.params = {};
    else delete stored.result;
  };
  if (stored.status >= 400 && approxJsonSize(stored.params, limits.maxRejectedParamsBytes) > limits.maxRejectedParamsBytes) omit('params');
  let size = approxJsonSize(stored, limits.maxJournalBytes);
  if (size > limits.maxJournalBytes && 'result' in stored) {
    omit('result');
    size = approxJsonSize(stored, limits.maxJournalBytes);
  }
  if (size > limits.maxJournalBytes && !omitted.includes('params')) {
    omit('params');
    size = approxJsonSize(stored, limits.maxJournalBytes);
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
  private head = 0;
  private bytes = 0;
  /** Entries dropped (oldest first) since the journal was last emptied. */
  dropped = 0;

  constructor(private readonly limits: JournalLimits) {}

  add(call: SandboxCall): void {
    const { entry, size } = journalEntry(call, this.limits);
    this.entries.push(entry);
    this.sizes.push(size);
    this.bytes += size;
    while (
      this.entries.length - this.head > 1 &&
      (this.entries.length - this.head > this.limits.maxJournalEntries || this.bytes > this.limits.maxJournalBytes)
    ) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
      this.dropped++;
    }
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) this.compact();
  }

  private compact() {
    if (this.head === 0) return;
    this.entries = this.entries.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.head = 0;
  }

  /** The kept entries, oldest first. */
  get calls(): readonly SandboxCall[] {
    this.compact();
    return this.entries;
  }

  /** Approximate characters of JSON the kept entries add up to. */
  get size(): number {
    return this.bytes;
  }

  clear(): void {
    this.entries = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
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
 * `maxBytes` characters of JSON (but holds one entry at least), so no answer outgrows a string.
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
    const size = approxJsonSize(calls[index], maxBytes);
    if (result.length > 0 && bytes + size > maxBytes) break;
    bytes += size;
    result.push(calls[index]!);
  }
  return { result, ...(index < calls.length ? { next: dropped + index } : {}), total: calls.length, dropped };
}
