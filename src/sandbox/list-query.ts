import { PAGE_SIZE } from '../wire/bitrix24.js';
import { WireError } from '../wire/wire-error.js';
import { compareDecimal, decimalText } from './decimal-text.js';
import { filterWork } from './filter-work.js';
import { type IdMap, lowerBound } from './id-index.js';
import { compileLike } from './like-pattern.js';
import { isNumericField, MULTI_FIELDS, type RecordKind } from './record-fields.js';

/** Records per page of every list method. */
export const LIST_PAGE_SIZE = PAGE_SIZE;

/** Operator prefixes of filter keys, longest first so `!%=` is not read as `!` + `%=`. */
export const FILTER_PREFIXES = ['!%=', '!=%', '!@', '!%', '!=', '>=', '<=', '=%', '%=', '@', '%', '=', '!', '>', '<'] as const;
type Prefix = (typeof FILTER_PREFIXES)[number] | '';

/** Splits a filter key into its operator prefix and field name: `'>=ID'` → `['>=', 'ID']`. */
export function parseFilterKey(key: string): [Prefix, string] {
  const prefix = FILTER_PREFIXES.find((candidate) => key.startsWith(candidate)) ?? '';
  return [prefix, key.slice(prefix.length).toUpperCase()];
}

/** How the query reads a record: a field's raw value (multiple fields as their entry values). */
export type FieldReader<R> = (record: R, field: string) => unknown;

type Scalar = string | number | boolean | null | undefined;

const isUnset = (value: unknown) => value === null || value === undefined || value === '';

/** A value as text compares it: lower case (the portal's collation ignores case), unset as ''. */
function text(value: unknown): string {
  const spelled = value === null || value === undefined ? '' : String(value).toLowerCase();
  filterWork.steps += spelled.length + 1;
  return spelled;
}

/** A value as numeric fields compare it: decimal text, `''` when unset, undefined when it is no number at all. */
function numberText(value: unknown): string | undefined {
  if (isUnset(value)) return '';
  filterWork.steps += typeof value === 'string' ? value.length + 1 : 1;
  return decimalText(value);
}

/** The prefixes that take one value; a list there has no meaning (refused, as the contract refuses it). */
const ONE_VALUE_PREFIXES: ReadonlySet<Prefix> = new Set(['>', '>=', '<', '<=', '%', '!%', '=%', '%=', '!%=', '!=%']);

const ORDER_HOLDS = {
  '>': (order: number) => order > 0,
  '>=': (order: number) => order >= 0,
  '<': (order: number) => order < 0,
  '<=': (order: number) => order <= 0,
} as const;

/**
 * One filter condition as a test on a single (non-list) value. Everything that depends only on the
 * filter (letter case, the list as a set, the LIKE pattern) is worked out here, once per query.
 */
function condition(prefix: Prefix, expected: unknown, numeric: boolean): (actual: Scalar) => boolean {
  const key = numeric ? numberText : text;
  switch (prefix) {
    case '':
    case '=':
    case '@':
    case '!':
    case '!=':
    case '!@': {
      // A wanted value that is no number (`"0x1"`, `true`) on a numeric field equals nothing.
      const wanted = new Set((Array.isArray(expected) ? expected : [expected]).map(key).filter((value) => value !== undefined));
      const equal = (actual: Scalar) => {
        const value = key(actual);
        return value !== undefined && wanted.has(value);
      };
      return prefix.startsWith('!') ? (actual) => !equal(actual) : equal;
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const bound = isUnset(expected) ? undefined : key(expected);
      const holds = ORDER_HOLDS[prefix];
      return (actual) => {
        if (bound === undefined || isUnset(actual)) return false;
        const value = key(actual);
        if (value === undefined) return false;
        filterWork.steps += Math.min(value.length, bound.length) + 1;
        return holds(numeric ? compareDecimal(value, bound) : value < bound ? -1 : value > bound ? 1 : 0);
      };
    }
    case '%':
    case '!%': {
      const needle = text(expected);
      const contains = (actual: Scalar) => {
        const value = text(actual);
        filterWork.steps += needle.length;
        return value.includes(needle);
      };
      return prefix === '%' ? (actual) => actual !== null && actual !== undefined && contains(actual) : (actual) => needle === '' || !contains(actual);
    }
    case '=%':
    case '%=':
    case '!%=':
    case '!=%': {
      const like = compileLike(text(expected));
      return prefix.startsWith('!') ? (actual) => !like(text(actual)) : (actual) => actual !== null && actual !== undefined && like(text(actual));
    }
  }
}

/**
 * A filter compiled once per query into one test per key; a multiple field matches when one entry
 * does. A list on a prefix that takes one value is refused with a 400 naming the key (the contract
 * refuses it first; this guards callers that reach the engine another way).
 */
export function compileFilter<R>(kind: RecordKind, filter: Record<string, unknown>, read: FieldReader<R>): (record: R) => boolean {
  const tests = Object.entries(filter).map(([key, expected]) => {
    const [prefix, field] = parseFilterKey(key);
    if (Array.isArray(expected) && ONE_VALUE_PREFIXES.has(prefix)) {
      throw new WireError(400, '', `Parameter filter: the key ${key.slice(0, 110)} takes one value, not a list (lists go with no prefix, =, !, !=, @ and !@).`);
    }
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

/** The whole numbers just below and just above a decimal text (equal for a whole number). */
function wholeBounds(decimal: string): { floor: number; ceil: number } {
  const [whole, fraction] = decimal.split('.') as [string, string?];
  const truncated = Number(whole);
  if (fraction === undefined) return { floor: truncated, ceil: truncated };
  return decimal.startsWith('-') ? { floor: truncated - 1, ceil: truncated } : { floor: truncated, ceil: truncated + 1 };
}

/**
 * The id bounds a filter sets (`>ID`, `>=ID`, `<ID`, `<=ID`, `=ID`), for binary search in the id
 * index. Worked out from the same decimal text the filter compares, so the window never leaves out
 * a record the filter would match; a value that is no decimal number is left to the filter.
 */
function idWindow(filter: Record<string, unknown>): { from: number; to: number } {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  for (const [key, value] of Object.entries(filter)) {
    const [prefix, field] = parseFilterKey(key);
    const decimal = field === 'ID' && !Array.isArray(value) ? decimalText(value) : undefined;
    if (decimal === undefined) continue;
    const { floor, ceil } = wholeBounds(decimal);
    if (prefix === '>') from = Math.max(from, floor + 1);
    else if (prefix === '>=') from = Math.max(from, ceil);
    else if (prefix === '<') to = Math.min(to, ceil - 1);
    else if (prefix === '<=') to = Math.min(to, floor);
    else if (prefix === '' || prefix === '=') {
      from = Math.max(from, ceil);
      to = Math.min(to, floor);
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
      const diff = sortOrder(isNumericField(kind, field), x, y);
      if (diff !== 0) return diff * direction;
    }
    return Number(read(a, 'ID')) - Number(read(b, 'ID'));
  });
  return pageOf(found.slice(offset, offset + LIST_PAGE_SIZE), uncounted ? undefined : found.length, offset);
}

/** How `order` compares two set values: numeric fields by decimal value (text after any number), others as text. */
function sortOrder(numeric: boolean, x: unknown, y: unknown): number {
  const [a, b] = numeric ? [decimalText(x), decimalText(y)] : [undefined, undefined];
  if (a !== undefined && b !== undefined) return compareDecimal(a, b);
  if (numeric && (a !== undefined) !== (b !== undefined)) return a !== undefined ? -1 : 1;
  const [p, q] = [text(x), text(y)];
  return p < q ? -1 : p > q ? 1 : 0;
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
