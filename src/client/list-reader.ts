import { type ListMethodName, listShapes } from '../../generated/methods.js';
import { batch, type BatchOutcome } from './batch.js';
import type { Bitrix24Client } from './client.js';
import { Bitrix24Error } from './errors.js';
import type { ItemEntityTypeId, ItemListParams, ItemSelectable, ItemSelected } from './item-params.js';
import type { ListRecordOf, RecordListMethodName, Selectable } from './list-params.js';
import type { CallOptions, MethodParams } from './method-tree.js';
import { MAX_BATCH_COMMANDS, PAGE_SIZE } from '../wire/bitrix24.js';

/** Records per page of a Bitrix24 list method; a shorter page is the last one. */
export const LIST_PAGE_SIZE = PAGE_SIZE;

/** Pages chained in one `batch` request: one command per page. */
export const PAGES_PER_REQUEST = MAX_BATCH_COMMANDS;

/** One record as the legacy list method `M` sends it for selection `S` (`ID` always, as text). */
export type ListRecord<M extends RecordListMethodName, S extends readonly string[] | undefined = undefined> = ListRecordOf<M, S>;

/** Reading direction: by ascending or descending `ID` (either case, as `order` takes it). */
export type IdDirection = 'ASC' | 'DESC' | 'asc' | 'desc';

/**
 * What {@link readAll} takes: the list method's own `filter`, `select` and the rest, with `order`
 * narrowed to `ID` (the window moves along it) and no `start` (the reader sends `-1`).
 */
export type ReadAllParams<M extends RecordListMethodName, S extends readonly Selectable<M>[] | undefined = undefined> = Omit<
  MethodParams<M>,
  'order' | 'start' | 'select'
> & {
  select?: S;
  /** `{ ID: 'DESC' }` reads newest first. Default `{ ID: 'ASC' }`. */
  order?: { readonly ID: IdDirection };
};

/** What {@link readAll} takes for `crm.item.list`: the same, with the window on `id`. */
export type ItemReadAllParams<E extends ItemEntityTypeId, S extends readonly ItemSelectable<E>[] | undefined = undefined> = Omit<
  ItemListParams<E, S>,
  'order' | 'start'
> & {
  /** `{ id: 'DESC' }` reads newest first. Default `{ id: 'ASC' }`. */
  order?: { readonly id: IdDirection };
};

/** Progress of a {@link readAll} run, reported after each `batch` request's pages were handed out. */
export interface ReadAllProgress {
  /** Records handed out so far. */
  records: number;
  /** Pages read so far (each up to 50 records). */
  pages: number;
  /** `batch` requests sent so far. */
  requests: number;
  /** The ID of the last record handed out: where a new run would resume (pass it as `>ID`, or `<ID` descending). */
  lastId: string | undefined;
}

/** Options of {@link readAll}. */
export interface ReadAllOptions extends CallOptions {
  /** Called after each `batch` request, once its records were handed out. */
  onProgress?: (progress: ReadAllProgress) => void;
  /**
   * List pages chained in one `batch` request, 1 to 50. Default 50 (2,500 records a request); fewer
   * exercise the chaining on a small set, e.g. in a scenario against a real portal.
   */
  pagesPerBatch?: number;
}

/** The client {@link readAll} reads through: its `batch` requests are paced, retried and authenticated like any call. */
export type ListReaderClient = Bitrix24Client;

type Row = Record<string, unknown>;

/** Where a list method keeps its records and what their id is called (generated from the contract). */
export interface ListShape {
  /** The key under `result` holding the records; `''` when `result` is the list itself. */
  readonly records: string;
  /** The id field the window moves along. */
  readonly id: IdKey;
}
type IdKey = (typeof listShapes)[ListMethodName]['id'];
const LEGACY_SHAPE: ListShape = { records: '', id: 'ID' };

/** The shape of list method `method`; the legacy one for a name the contract does not know. */
export function listShapeOf(method: string): ListShape {
  return Object.hasOwn(listShapes, method) ? listShapes[method as ListMethodName] : LEGACY_SHAPE;
}

const WINDOW_BROKEN = 'LIST_WINDOW_BROKEN';

function windowBroken(method: string, description: string): Bitrix24Error {
  return new Bitrix24Error({ status: 200, code: WINDOW_BROKEN, description, method, retryable: false });
}

function aborted(method: string): Bitrix24Error {
  return new Bitrix24Error({ status: 0, code: 'ABORTED', description: 'The read was aborted', method });
}

/** An id as a list sends it (`"1010"`, or `1010` from crm.item.list), as a number for comparing; anything else breaks the window. */
function idOf(row: unknown, method: string, key: IdKey = 'ID'): { text: string; value: number } {
  const id = typeof row === 'object' && row !== null ? (row as Row)[key] : undefined;
  const value = typeof id === 'string' || typeof id === 'number' ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw windowBroken(method, `A record came back without an integer ID (got ${JSON.stringify(id) ?? 'none'})`);
  return { text: String(id), value };
}

/**
 * The parameters every command of a run shares: the caller's own, `ID` forced into `select`,
 * `order` by `ID` alone, `start: -1` (no count). Returns where the window starts (a bound the
 * caller already put on the window's own key) and the filter without that key.
 */
export function planWindow(
  method: string,
  params: Row,
): { base: Row; filter: Row; key: `${'>' | '<'}${IdKey}`; from: string | undefined; descending: boolean } {
  const ID = listShapeOf(method).id;
  const { order, start, select, filter, ...rest } = params;
  if (start !== undefined) throw new TypeError(`${method}: readAll sends start: -1 itself; leave start out`);
  let descending = false;
  if (order !== undefined) {
    const keys = typeof order === 'object' && order !== null ? Object.keys(order) : [];
    const direction = keys.length === 1 && keys[0] === ID ? String((order as Row)[ID]).toUpperCase() : '';
    if (direction !== 'ASC' && direction !== 'DESC') {
      throw new TypeError(`${method}: readAll reads in ${ID} order, so order must be { ${ID}: 'ASC' } or { ${ID}: 'DESC' }, got ${JSON.stringify(order)}`);
    }
    descending = direction === 'DESC';
  }
  if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter))) {
    throw new TypeError(`${method}: filter must be an object of field conditions`);
  }
  if (select !== undefined && !Array.isArray(select)) throw new TypeError(`${method}: select must be an array of field names`);
  const key = descending ? (`<${ID}` as const) : (`>${ID}` as const);
  const { [key]: bound, ...ownFilter } = (filter ?? {}) as Row;
  let from: string | undefined;
  if (bound !== undefined) {
    // The window moves on this same key; the caller's bound is where it starts, and every later page
    // only narrows it further.
    if (!Number.isSafeInteger(Number(bound)) || typeof bound === 'boolean' || bound === '') {
      throw new TypeError(`${method}: filter['${key}'] must be an integer ID to start the window from, got ${JSON.stringify(bound)}`);
    }
    from = String(bound);
  }
  const base: Row = { ...rest, order: { [ID]: descending ? 'DESC' : 'ASC' }, start: -1 };
  // Bitrix24 returns the selected fields only; the window needs each record's id.
  if (select !== undefined && select.length > 0 && !select.includes(ID) && !select.includes('*')) base.select = [...select, ID];
  else if (select !== undefined) base.select = select;
  return { base, filter: ownFilter, key, from, descending };
}

/**
 * The commands of one `batch` request: page `p0` starts after `from` (or at the first record),
 * page `pN` after the 50th record of `pN-1`, through a `$result` reference the portal resolves
 * while it runs the batch in order.
 */
export function chainCommands(
  method: string,
  plan: ReturnType<typeof planWindow>,
  from: string | undefined,
  pages: number = PAGES_PER_REQUEST,
): Record<string, { method: string; params: Row }> {
  const commands: Record<string, { method: string; params: Row }> = {};
  const { records, id } = listShapeOf(method);
  for (let page = 0; page < pages; page++) {
    const after = page === 0 ? from : `$result[p${page - 1}]${records ? `[${records}]` : ''}[${LIST_PAGE_SIZE - 1}][${id}]`;
    const filter = after === undefined ? plan.filter : { ...plan.filter, [plan.key]: after };
    commands[`p${page}`] = { method, params: { ...plan.base, filter } };
  }
  return commands;
}

/**
 * Reads every record a list method matches, page by page, as an async iterable of pages (arrays of
 * up to 50 records). {@link readAll} is the same, one record at a time.
 */
export function readPages<E extends ItemEntityTypeId, const S extends readonly ItemSelectable<E>[] | undefined = undefined>(
  client: ListReaderClient,
  method: 'crm.item.list',
  params: ItemReadAllParams<E, S>,
  options?: ReadAllOptions,
): AsyncGenerator<Array<ItemSelected<E, S>>, void, undefined>;
export function readPages<M extends RecordListMethodName, const S extends readonly Selectable<M>[] | undefined = undefined>(
  client: ListReaderClient,
  method: M,
  params?: ReadAllParams<M, S>,
  options?: ReadAllOptions,
): AsyncGenerator<Array<ListRecord<M, S>>, void, undefined>;
export async function* readPages(
  client: ListReaderClient,
  method: ListMethodName,
  params: object = {},
  options: ReadAllOptions = {},
): AsyncGenerator<Row[], void, undefined> {
  const { onProgress, pagesPerBatch = PAGES_PER_REQUEST, ...callOptions } = options;
  const { signal } = callOptions;
  if (!Number.isInteger(pagesPerBatch) || pagesPerBatch < 1 || pagesPerBatch > PAGES_PER_REQUEST) {
    throw new RangeError(`pagesPerBatch must be an integer from 1 to ${PAGES_PER_REQUEST}, got ${String(pagesPerBatch)}`);
  }
  const plan = planWindow(method, params as Row);
  const { records, id } = listShapeOf(method);
  const progress: ReadAllProgress = { records: 0, pages: 0, requests: 0, lastId: plan.from };
  let cursor = plan.from === undefined ? undefined : Number(plan.from);
  for (;;) {
    if (signal?.aborted) throw aborted(method);
    const commands = chainCommands(method, plan, progress.lastId, pagesPerBatch);
    // halt: a failed page stops the chain, since every later page hangs on its last ID.
    const outcomes = (await batch(client, commands as never, { ...callOptions, halt: true })) as unknown as Record<string, BatchOutcome<unknown>>;
    progress.requests++;
    let ended = false;
    for (let page = 0; page < pagesPerBatch; page++) {
      const outcome = outcomes[`p${page}`];
      // Pages after a short one are ignored: their `$result` reference points past the end, and
      // whatever the portal made of it (an error, an empty or a repeated page) is not data.
      if (!outcome?.ok) throw outcome?.error ?? windowBroken(method, `Page p${page} of the batch came back without an outcome`);
      const rows = records ? (outcome.result as Row | null)?.[records] : outcome.result;
      if (!Array.isArray(rows)) throw windowBroken(method, `Page p${page} is not a list of records`);
      if (rows.length > LIST_PAGE_SIZE) throw windowBroken(method, `Page p${page} holds ${rows.length} records, more than a page's ${LIST_PAGE_SIZE}`);
      // Each page must continue strictly past the one before: a reference the portal did not resolve
      // would restart the window and hand out records twice.
      for (const row of rows) {
        const { value } = idOf(row, method, id);
        if (cursor !== undefined && (plan.descending ? value >= cursor : value <= cursor)) {
          throw windowBroken(method, `Page p${page} went back to ID ${value} after ID ${cursor}; stopped rather than repeat records`);
        }
        cursor = value;
      }
      if (rows.length > 0) {
        if (signal?.aborted) throw aborted(method);
        progress.records += rows.length;
        progress.pages++;
        progress.lastId = idOf(rows[rows.length - 1], method, id).text;
        yield rows as Row[];
      }
      if (rows.length < LIST_PAGE_SIZE) {
        ended = true;
        break;
      }
    }
    onProgress?.({ ...progress });
    if (ended) return;
  }
}

/**
 * Reads every record a list method matches, for any list method of the contract, as an async
 * iterable: `for await (const lead of readAll(client, 'crm.lead.list', { filter }))`.
 *
 * It walks the ID window the vendor recommends for large sets (settings/performance/huge-data):
 * `order` by `ID`, a `>ID` filter on the last ID read (`<ID` descending), `start: -1` so the portal
 * skips counting. Fifty pages go in each `batch` request, each page's filter pointing at the last ID
 * of the page before through a `$result[pN][49][ID]` reference, so N records take ⌈N / 2,500⌉
 * requests, plus one when N is a multiple of 2,500 (the empty page that says it is over). Every
 * request goes through the client's `batch`: its rate limiter, retries and auth apply. Records are
 * handed out one batch answer (≤ 2,500 records) at a time and never gathered, so memory stays
 * bounded however many match. Stopping the loop early (`break`) sends nothing more.
 *
 * Your `filter` and `select` are kept; `ID` is added to `select` when it is missing, and a `>ID`
 * in your filter (`<ID` descending) is where the window starts, which is also how to resume a run
 * from {@link ReadAllProgress.lastId}. The run ends on the first page shorter than 50.
 *
 * Failures: a failed page (a command error, a whole request that failed after the client's
 * retries, an abort through `signal`) throws a {@link Bitrix24Error} from the iterator after every
 * record before it was handed out; a page that would step back in the window (a `$result` reference
 * the portal did not resolve) throws `LIST_WINDOW_BROKEN`. A run never ends early without throwing.
 *
 * Records changed during the run: the window only moves forward along `ID`, so no record comes
 * twice. A record added during the run comes if its ID is past the window's position when its page
 * is read (ascending, new records get higher IDs, so they usually do come), and not if it falls
 * behind it. A record deleted before the window reaches it does not come; one deleted after it was
 * read already came. A record edited so that it stops (or starts) matching the filter is read as it
 * is when its page is read.
 *
 * @example
 * for await (const lead of readAll(client, 'crm.lead.list', { filter: { STATUS_ID: 'NEW' }, select: ['TITLE'] }, {
 *   signal: AbortSignal.timeout(600_000),
 *   onProgress: ({ records }) => console.log(records, 'read'),
 * })) {
 *   console.log(lead.ID, lead.TITLE);
 * }
 */
export function readAll<E extends ItemEntityTypeId, const S extends readonly ItemSelectable<E>[] | undefined = undefined>(
  client: ListReaderClient,
  method: 'crm.item.list',
  params: ItemReadAllParams<E, S>,
  options?: ReadAllOptions,
): AsyncGenerator<ItemSelected<E, S>, void, undefined>;
export function readAll<M extends RecordListMethodName, const S extends readonly Selectable<M>[] | undefined = undefined>(
  client: ListReaderClient,
  method: M,
  params?: ReadAllParams<M, S>,
  options?: ReadAllOptions,
): AsyncGenerator<ListRecord<M, S>, void, undefined>;
export async function* readAll(
  client: ListReaderClient,
  method: ListMethodName,
  params: object = {},
  options: ReadAllOptions = {},
): AsyncGenerator<Row, void, undefined> {
  const { signal } = options;
  for await (const page of readPages(client, method as RecordListMethodName, params, options)) {
    for (const record of page) {
      // Checked per record, so an abort from inside the loop body stops before the next record.
      if (signal?.aborted) throw aborted(method);
      yield record;
    }
  }
}
