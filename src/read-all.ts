import type { ListMethodName } from '../generated/methods.js';
import { encodeQuery } from './batch-encoding.js';
import type { Bitrix24Client } from './client.js';
import { Bitrix24Error } from './errors.js';
import type { FieldsOf, ListFilter } from './list-params.js';
import type { CallOptions, ListPage } from './method-tree.js';

/** Records per page of every list method (list-methods-pecularities: "no more than 50 at a time"). */
const PAGE_SIZE = 50;
/** Commands per `batch` request (the batch page's limit), so one request reads up to 2,500 records. */
const PAGES_PER_BATCH = 50;

/** Progress of a read: records handed out and `batch` requests made so far. */
export interface ReadProgress {
  records: number;
  requests: number;
}

export interface ReadAllOptions<M extends ListMethodName> {
  /** Conditions as the list method takes them; an `>ID` (`<ID` when descending) sets where the read starts. */
  filter?: ListFilter<FieldsOf<M>>;
  /** Fields of each record; `ID` is added when missing, since the read continues from the last id. */
  select?: ReadonlyArray<(keyof FieldsOf<M> & string) | '*' | 'UF_*' | `UF_${string}`>;
  /** `true` reads from the highest id down. */
  descending?: boolean;
  /** Stops the read: the iterator throws the abort reason before its next request. */
  signal?: AbortSignal;
  /** Called after each `batch` request with the running totals. */
  onProgress?: (progress: ReadProgress) => void;
  /** List pages chained in one `batch` request, 1–50 (default 50). */
  pagesPerBatch?: number;
}

type ListRecord<M extends ListMethodName> = ListPage<M>['result'][number];

/**
 * Reads every record a list method matches, as the vendor's large-data page recommends: ordered by
 * `ID`, each page filtered to ids past the last one read, `start: -1` so the portal skips counting,
 * and 50 such pages chained in one `batch` through `$result[previous page][49][ID]`. So 2,500
 * records cost one request (through the client's limiter and retries), and memory holds one batch
 * at a time however many records come back.
 *
 * The read ends on a page shorter than 50. A failed page throws from the iterator after every record
 * before it was handed out: never a silent truncation. Records added during the read show up when
 * their id lies past the read's position (so, for an ascending read, new records usually do);
 * records deleted before the read reaches them do not show up; none comes twice.
 */
export async function* readAll<M extends ListMethodName>(client: Bitrix24Client, method: M, options: ReadAllOptions<M> = {}): AsyncGenerator<ListRecord<M>> {
  const { descending = false, signal, onProgress } = options;
  const pagesPerBatch = options.pagesPerBatch ?? PAGES_PER_BATCH;
  if (!Number.isInteger(pagesPerBatch) || pagesPerBatch < 1 || pagesPerBatch > PAGES_PER_BATCH) {
    throw new RangeError(`pagesPerBatch must be an integer from 1 to ${PAGES_PER_BATCH}; got ${String(pagesPerBatch)}`);
  }
  const cursorKey = descending ? '<ID' : '>ID';
  const { [cursorKey]: from, ...filter } = (options.filter ?? {}) as Record<string, unknown>;
  const select = options.select && !options.select.includes('ID') && !options.select.includes('*') ? [...options.select, 'ID'] : options.select;
  // The fixed part of every page's query; the id cursor is appended raw, so `$result[…]` reaches the portal unencoded.
  const fixed = encodeQuery({ filter, order: { ID: descending ? 'DESC' : 'ASC' }, start: -1, ...(select ? { select } : {}) });
  const cursorParam = `filter[${encodeURIComponent(cursorKey)}]`;
  let cursor = from === undefined ? (descending ? undefined : 0) : String(from);
  const progress: ReadProgress = { records: 0, requests: 0 };
  const callOptions: CallOptions = signal ? { signal } : {};

  for (;;) {
    signal?.throwIfAborted();
    const cmd: Record<string, string> = {};
    for (let page = 0; page < pagesPerBatch; page++) {
      const after = page === 0 ? cursor : `$result[p${page - 1}][${PAGE_SIZE - 1}][ID]`;
      cmd[`p${page}`] = `${method}?${fixed}${after === undefined ? '' : `&${cursorParam}=${after}`}`;
    }
    const answer = (await client.call('batch', { halt: 1, cmd }, callOptions)) as {
      result: Record<string, unknown[]> | unknown[];
      result_error: Record<string, { error: string; error_description: string }> | unknown[];
    };
    progress.requests++;
    const pages = Array.isArray(answer.result) ? {} : answer.result;
    const errors = Array.isArray(answer.result_error) ? {} : answer.result_error;
    for (let page = 0; page < pagesPerBatch; page++) {
      const key = `p${page}`;
      const records = pages[key];
      if (!Array.isArray(records)) {
        const failure = errors[key];
        // A command's own failure carries no HTTP status inside batch; the batch request itself succeeded.
        throw new Bitrix24Error({
          status: 0,
          code: failure?.error ?? 'INVALID_RESPONSE',
          description: `page ${page + 1} of batch ${progress.requests} failed after ${progress.records} records: ${failure?.error_description ?? 'no result and no error for this page'}`,
          method,
          retryable: false,
        });
      }
      for (const record of records as ListRecord<M>[]) {
        progress.records++;
        yield record;
      }
      if (records.length < PAGE_SIZE) {
        onProgress?.({ ...progress });
        return;
      }
      cursor = String((records[records.length - 1] as { ID?: unknown }).ID);
    }
    onProgress?.({ ...progress });
  }
}
