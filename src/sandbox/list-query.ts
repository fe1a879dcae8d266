import { type IdMap, lowerBound } from './id-index.js';
import { isNumericField, MULTI_FIELDS, type RecordKind } from './record-fields.js';

/**
 * Records per page of every list method (list-methods-pecularities: "no more than 50 at a time").
 * To move into the platform-numbers module (src/wire/bitrix24.ts) once that lands.
 */
export const LIST_PAGE_SIZE = 50;

/** Operator prefixes, longest first so `!%=` is not read as `!` + `%=`. */
const PREFIXES = ['!%=', '!=%', '!@', '!%', '!=', '>=', '<=', '=%', '%=', '@', '%', '=', '!', '>', '<'] as const;
type Prefix = (typeof PREFIXES)[number] | '';

/** Splits a filter key into its operator prefix and field name: `'>=ID'` → `['>=', 'ID']`. */
export function parseFilterKey(key: string): [Prefix, string] {
  const prefix = PREFIXES.find((candidate) => key.startsWith(candidate)) ?? '';
  return [prefix, key.slice(prefix.length).toUpperCase()];
}

/** How the query reads a record: a field's raw value (multiple fields as their entry values). */
export type FieldReader<R> = (record: R, field: string) => unknown;

type Scalar = string | number | boolean | null | undefined;

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value).toLowerCase());

/** `=%` patterns: `%` is any text, `_` one character; everything else literal; case-insensitive (inferred). */
const likePattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
    's',
  );

/** One filter condition as a test on a single (non-list) value. */
function condition(prefix: Prefix, expected: unknown, numeric: boolean): (actual: Scalar) => boolean {
  const list = Array.isArray(expected) ? expected : [expected];
  const same = (actual: Scalar, wanted: unknown) =>
    numeric && actual !== null && actual !== undefined && wanted !== null && wanted !== '' ? Number(actual) === Number(wanted) : text(actual) === text(wanted);
  const compare = (actual: Scalar) => {
    if (actual === null || actual === undefined || actual === '') return undefined;
    if (numeric) return Number(actual) - Number(expected);
    const a = text(actual);
    const b = text(expected);
    return a < b ? -1 : a > b ? 1 : 0;
  };
  switch (prefix) {
    case '':
    case '=':
    case '@':
      return (actual) => list.some((wanted) => same(actual, wanted));
    case '!':
    case '!=':
    case '!@':
      return (actual) => !list.some((wanted) => same(actual, wanted));
    case '>':
      return (actual) => (compare(actual) ?? -1) > 0;
    case '>=':
      return (actual) => (compare(actual) ?? -1) >= 0;
    case '<':
      return (actual) => (compare(actual) ?? 1) < 0;
    case '<=':
      return (actual) => (compare(actual) ?? 1) <= 0;
    case '%':
      return (actual) => actual !== null && actual !== undefined && text(actual).includes(text(expected));
    case '!%':
      return (actual) => !text(actual).includes(text(expected)) || text(expected) === '';
    case '=%':
    case '%=': {
      const pattern = likePattern(String(expected ?? ''));
      return (actual) => actual !== null && actual !== undefined && pattern.test(text(actual));
    }
    case '!%=':
    case '!=%': {
      const pattern = likePattern(String(expected ?? ''));
      return (actual) => !pattern.test(text(actual));
    }
  }
}

/** A filter compiled once per query into one test per key; a multiple field matches when one entry does. */
export function compileFilter<R>(kind: RecordKind, filter: Record<string, unknown>, read: FieldReader<R>): (record: R) => boolean {
  const tests = Object.entries(filter).map(([key, expected]) => {
    const [prefix, field] = parseFilterKey(key);
    const test = condition(prefix, expected, isNumericField(kind, field));
    if (!MULTI_FIELDS.includes(field)) return (record: R) => test(read(record, field) as Scalar);
    const negated = prefix.startsWith('!');
    return (record: R) => {
      const values = (read(record, field) as Scalar[] | undefined) ?? [];
      // "not equal" on a list holds when no entry equals; the positive forms when any entry does.
      return negated ? values.every((value) => test(value)) : values.some((value) => test(value));
    };
  });
  return (record) => tests.every((test) => test(record));
}

/** The id bounds a filter sets (`>ID`, `>=ID`, `<ID`, `<=ID`, `=ID`), for binary search in the id index. */
function idWindow(filter: Record<string, unknown>): { from: number; to: number } {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const [key, value] of Object.entries(filter)) {
    const [prefix, field] = parseFilterKey(key);
    if (field !== 'ID' || Array.isArray(value) || value === null || value === '' || !Number.isFinite(Number(value))) continue;
    const id = Number(value);
    if (prefix === '>') from = Math.max(from, Math.floor(id) + 1);
    else if (prefix === '>=') from = Math.max(from, Math.ceil(id));
    else if (prefix === '<') to = Math.min(to, Math.ceil(id) - 1);
    else if (prefix === '<=') to = Math.min(to, Math.floor(id));
    else if (prefix === '' || prefix === '=') {
      from = Math.max(from, id);
      to = Math.min(to, id);
    }
  }
  return { from, to };
}

export interface ListQueryInput {
  filter?: Record<string, unknown>;
  order?: Record<string, string>;
  start?: number;
}

export interface ListPageOf<R> {
  records: R[];
  /** Matches in all; 0 when `start` was -1 (not counted). */
  total: number;
  next?: number;
}

/**
 * One page of a list method over the records of `kind`. The records are walked through the id
 * index: only the ids inside the filter's id bounds are read, and when the order is by `ID` alone
 * (or absent) and `start` is -1, the walk stops at the 50th match, so a page of the fast id-window
 * read costs the same at 100 records as at 100,000.
 */
export function listPage<R>(kind: RecordKind, records: IdMap<R>, query: ListQueryInput, read: FieldReader<R>): ListPageOf<R> {
  const filter = query.filter ?? {};
  const matches = compileFilter(kind, filter, read);
  const order = Object.entries(query.order ?? {}).map(([field, direction]) => [field.toUpperCase(), direction.toUpperCase() === 'DESC' ? -1 : 1] as const);
  const byIdOnly = order.length === 0 || (order.length === 1 && order[0]![0] === 'ID');
  const descending = byIdOnly && order[0]?.[1] === -1;
  const ids = records.sortedIds();
  const { from, to } = idWindow(filter);
  const first = lowerBound(ids, from);
  const end = to === Number.POSITIVE_INFINITY ? ids.length : lowerBound(ids, to + 1);
  const uncounted = query.start === -1;
  const offset = uncounted ? 0 : Math.floor((query.start ?? 0) / LIST_PAGE_SIZE) * LIST_PAGE_SIZE;

  if (byIdOnly) {
    const page: R[] = [];
    let total = 0;
    for (let step = 0; step < end - first; step++) {
      const record = records.get(ids[descending ? end - 1 - step : first + step]!)!;
      if (!matches(record)) continue;
      if (total >= offset && page.length < LIST_PAGE_SIZE) page.push(record);
      total++;
      if (uncounted && page.length === LIST_PAGE_SIZE) break;
    }
    return pageOf(page, uncounted ? undefined : total, offset);
  }

  const found: R[] = [];
  for (let at = first; at < end; at++) {
    const record = records.get(ids[at]!)!;
    if (matches(record)) found.push(record);
  }
  const key = (record: R, field: string) => {
    const value = read(record, field);
    return Array.isArray(value) ? value[0] : value;
  };
  found.sort((a, b) => {
    for (const [field, direction] of order) {
      const x = key(a, field);
      const y = key(b, field);
      if (x === y) continue;
      if (x === null || x === undefined) return -direction;
      if (y === null || y === undefined) return direction;
      const diff = isNumericField(kind, field) ? Number(x) - Number(y) : text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0;
      if (diff !== 0) return diff * direction;
    }
    return Number(read(a, 'ID')) - Number(read(b, 'ID'));
  });
  return pageOf(found.slice(offset, offset + LIST_PAGE_SIZE), uncounted ? undefined : found.length, offset);
}

function pageOf<R>(records: R[], total: number | undefined, offset: number): ListPageOf<R> {
  if (total === undefined) return { records, total: 0 };
  const next = offset + LIST_PAGE_SIZE;
  return next < total ? { records, total, next } : { records, total };
}

/** What a list handler returns: the page plus the `total` and `next` that sit beside `result` in the answer. */
export class ListAnswer {
  constructor(
    readonly result: unknown[],
    readonly total: number,
    readonly next?: number,
  ) {}

  /** The envelope keys beside `result`; `next` only while more records remain. */
  paging(): { total: number; next?: number } {
    return this.next === undefined ? { total: this.total } : { total: this.total, next: this.next };
  }
}
