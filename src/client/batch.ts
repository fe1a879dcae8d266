import type { components } from '../../generated/schema.js';
import type { MethodName, MethodNameTree } from '../../generated/methods.js';
import { MAX_BATCH_COMMANDS } from '../wire/bitrix24.js';
import { encodeCommand } from './batch-encoding.js';
import { internalsOf } from './internals.js';
import { Bitrix24Error } from './errors.js';
import { type CallOptions, type MethodParams, type MethodResult, methodTree, type TreeOf } from './method-tree.js';

/** Bitrix24 runs at most this many commands per `batch` request (more end in `ERROR_BATCH_LENGTH_EXCEEDED`). */
export { MAX_BATCH_COMMANDS };

/** A method that may run as a batch command: every method of the contract except `batch` itself. */
export type BatchableMethod = Exclude<MethodName, 'batch'>;

/** One typed batch command: a method and its parameters, built with {@link cmd}. Encoded only when sent. */
export interface BatchCommand<M extends BatchableMethod = BatchableMethod> {
  readonly method: M;
  readonly params: MethodParams<M>;
}

/** Any command of the contract (a union, so each command's parameters stay tied to its method). */
export type AnyBatchCommand = { [M in BatchableMethod]: BatchCommand<M> }[BatchableMethod];

/** Commands for {@link BatchMethods.batch} and {@link BatchMethods.bulk}: named (an object) or listed (an array). */
export type BatchCommands = Readonly<Record<string, AnyBatchCommand>> | readonly AnyBatchCommand[];

/** A command that ran and succeeded. */
export interface BatchSuccess<R> {
  readonly ok: true;
  /** The method's typed `result`. */
  readonly result: R;
  /** For list methods: how many records the command found (`result_total`). */
  readonly total?: number;
  /** For list methods with a further page: the `start` of that page (`result_next`). */
  readonly next?: number;
  /** The command's own timing (`result_time`). */
  readonly time?: components['schemas']['ResponseTime'];
}

/**
 * A command that failed or did not run. `error` is a {@link Bitrix24Error}:
 * - the command's own Bitrix24 error (`method` is the command's method, `status` 200, the status of
 *   the batch answer that carried it);
 * - `BATCH_HALTED` when `halt` stopped the batch before this command;
 * - `BATCH_NO_RESULT` when Bitrix24 returned neither a result nor an error for it;
 * - with {@link BatchMethods.bulk} only: the error of the whole batch request that carried the
 *   command (`method` is `batch`: a 503, a network failure, …) or `ABORTED` when the caller's
 *   signal stopped the run before (or while) the command was sent.
 */
export interface BatchFailure {
  readonly ok: false;
  readonly error: Bitrix24Error;
}

/** What one command came back with. Check `ok` first; both branches are typed. */
export type BatchOutcome<R> = BatchSuccess<R> | BatchFailure;

type ResultOf<C> = C extends { readonly method: infer M extends BatchableMethod } ? MethodResult<M> : never;

/**
 * The answer of a typed batch: the same keys (or positions) as the commands, each with the
 * {@link BatchOutcome} of its command, typed by its method's result.
 */
export type BatchResults<T extends BatchCommands> = { -readonly [K in keyof T]: BatchOutcome<ResultOf<T[K]>> };

/** Options of {@link BatchMethods.batch}. */
export interface BatchOptions extends CallOptions {
  /** Stop at the first failing command; the commands after it come back as `BATCH_HALTED`. Default `false`. */
  halt?: boolean;
}

/** Progress of {@link BatchMethods.bulk}, reported after each batch request. */
export interface BulkProgress {
  /** Commands whose outcome is known (succeeded or failed). */
  done: number;
  /** All commands of the run. */
  total: number;
}

/** Options of {@link BatchMethods.bulk}. */
export interface BulkOptions extends BatchOptions {
  /** Called after each batch request with how many commands are done. */
  onProgress?: (progress: BulkProgress) => void;
  /** Commands per batch request, 1 to 50. Default 50. */
  chunkSize?: number;
}

/** The typed batch methods of the client. */
export interface BatchMethods {
  /**
   * Runs up to 50 typed commands in one `batch` request. Each command's outcome comes back under
   * its own key, typed by its method; a failed command is a {@link BatchFailure}, not a rejection.
   * Rejects with a {@link Bitrix24Error} only when the batch request as a whole fails (network,
   * 401, 503 after the client's retries, a 400 `ERROR_BATCH_LENGTH_EXCEEDED`, …), and with a
   * `RangeError` for more than 50 commands (use {@link BatchMethods.bulk}).
   *
   * @example
   * const out = await client.batch({
   *   link: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }),
   *   again: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1011 } }),
   * });
   * if (out.link.ok) console.log(out.link.result); // boolean
   * else console.error(out.link.error.code);
   */
  batch<const T extends BatchCommands>(commands: T, options?: BatchOptions): Promise<BatchResults<T>>;
  /**
   * Runs any number of typed commands as consecutive `batch` requests of at most 50, each paced by
   * the client's rate limiter. Keeps keys and order; never rejects for a failed request: the
   * commands of a failed request get its error, the others keep their results. Stop it with
   * `signal`: commands not yet done come back as `ABORTED`. With `halt`, the run stops at the first
   * failure and the rest come back as `BATCH_HALTED`.
   *
   * @example
   * const links = contactIds.map((id) => cmd.crm.lead.contact.add({ id: leadId, fields: { CONTACT_ID: id } }));
   * const out = await client.bulk(links, { onProgress: ({ done, total }) => console.log(done, '/', total) });
   * const failed = out.filter((o) => !o.ok);
   */
  bulk<const T extends BatchCommands>(commands: T, options?: BulkOptions): Promise<BatchResults<T>>;
}

/** Codes of the client-made {@link BatchFailure} errors. */
export type BatchErrorCode = 'BATCH_HALTED' | 'BATCH_NO_RESULT';

/** Builds one typed command; parameters are checked exactly as for the client method of the same name. */
export type CommandBuilder<M extends BatchableMethod> =
  {} extends MethodParams<M> ? (params?: MethodParams<M>) => BatchCommand<M> : (params: MethodParams<M>) => BatchCommand<M>;

/** The batchable methods as nested command builders, shaped like the client: `cmd.crm.lead.contact.add(...)`. */
export type CommandTree = Omit<TreeOf<MethodNameTree, { [M in MethodName]: M extends BatchableMethod ? CommandBuilder<M> : never }>, 'batch'>;

/**
 * Typed batch commands, derived from the contract like the client's methods: `cmd.crm.lead.contact.add(params)`
 * checks `params` and returns a {@link BatchCommand} to pass to `client.batch` or `client.bulk`.
 */
export const cmd: CommandTree = /* @__PURE__ */ methodTree<CommandTree>((method) => (params?: unknown) => ({ method, params: params ?? {} }));

type Call = (method: MethodName, params: unknown, options?: CallOptions) => Promise<unknown>;
type Entry = { key: string; method: string; line: string };
type Part = Record<string, unknown> | unknown[];

const HALTED = 'Not run: halt after an earlier failure';
const NO_RESULT = 'Neither a result nor an error came back';
const ABORTED = 'Not sent: aborted';
const ABORTED_IN_FLIGHT = 'Aborted in flight; it may or may not have run';

function part(value: unknown): Part {
  return typeof value === 'object' && value !== null ? (value as Part) : {};
}

function has(container: Part, key: string): boolean {
  return Object.hasOwn(container, key);
}

function at(container: Part, key: string): unknown {
  return (container as Record<string, unknown>)[key];
}

function failure(code: string, description: string, method: string, status = 0): BatchFailure {
  return { ok: false, error: new Bitrix24Error({ status, code, description, method }) };
}

function toEntries(commands: BatchCommands, mask: (text: string) => string): { entries: Entry[]; asList: boolean } {
  const asList = Array.isArray(commands);
  const pairs: Array<[string, AnyBatchCommand]> = asList
    ? (commands as readonly AnyBatchCommand[]).map((command, index) => [String(index), command])
    : Object.entries(commands as Record<string, AnyBatchCommand>);
  const entries = pairs.map(([key, command]) => {
    const method = String(command?.method);
    // https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html: nesting is refused since rest 24.0.0.
    if (method === 'batch') throw new TypeError(`Command ${key}: batch cannot run inside batch`);
    try {
      return { key, method, line: encodeCommand(method, command.params as Record<string, unknown>) };
    } catch (error) {
      // A TypeError naming the parameter, or a RangeError from nesting too deep for the stack.
      const description = `Not sent: command ${key} (${method}) cannot be encoded: ${(error as Error)?.message}`;
      throw new Bitrix24Error({ status: 0, code: 'INVALID_PARAMS', description: mask(description), method: 'batch' });
    }
  });
  return { entries, asList };
}

function fromEntries<T>(keys: readonly string[], values: readonly T[], asList: boolean): unknown {
  if (asList) return [...values];
  const out: Record<string, T> = {};
  keys.forEach((key, index) => (out[key] = values[index]!));
  return out;
}

/**
 * The typed `batch` and `bulk` methods on top of a client's `call`. Every request goes through
 * `call('batch', …)`, so it is paced, retried and authenticated like any other call.
 */
export function createBatchMethods(call: Call, mask: (text: string) => string = (text) => text): BatchMethods {
  /** A command's own Bitrix24 error: it may echo anything the request carried, so every string is masked. */
  const commandError = (code: string, description: string, method: string): BatchFailure => ({
    ok: false,
    error: new Bitrix24Error({ status: 200, code: mask(code), description: mask(description), method: mask(method) }),
  });

  /** Sends one batch request and reads each command's outcome; rejects only if the request as a whole fails. */
  async function send(entries: readonly Entry[], asList: boolean, halt: boolean, callOptions: CallOptions) {
    const commandLines = asList ? entries.map((entry) => entry.line) : Object.fromEntries(entries.map((entry) => [entry.key, entry.line]));
    const answer = part(await call('batch', { halt: halt ? 1 : 0, cmd: commandLines }, callOptions));
    const results = part(at(answer, 'result'));
    const errors = part(at(answer, 'result_error'));
    const totals = part(at(answer, 'result_total'));
    const nexts = part(at(answer, 'result_next'));
    const times = part(at(answer, 'result_time'));
    // With a command list, the ids Bitrix24 answers with are positions within this request.
    return entries.map((entry, index): BatchOutcome<unknown> => {
      const id = asList ? String(index) : entry.key;
      if (has(errors, id)) {
        const body = part(at(errors, id)) as Record<string, unknown>;
        const description = typeof body.error_description === 'string' ? body.error_description : '';
        return commandError(typeof body.error === 'string' ? body.error : '', description, entry.method);
      }
      if (!has(results, id)) return failure(halt ? 'BATCH_HALTED' : 'BATCH_NO_RESULT', halt ? HALTED : NO_RESULT, entry.method, 200);
      const success: { ok: true; result: unknown; total?: number; next?: number; time?: components['schemas']['ResponseTime'] } = {
        ok: true,
        result: at(results, id),
      };
      if (has(totals, id)) success.total = at(totals, id) as number;
      if (has(nexts, id)) success.next = at(nexts, id) as number;
      if (has(times, id)) success.time = at(times, id) as components['schemas']['ResponseTime'];
      return success;
    });
  }

  async function batch<const T extends BatchCommands>(commands: T, options: BatchOptions = {}): Promise<BatchResults<T>> {
    const { entries, asList } = toEntries(commands, mask);
    if (entries.length > MAX_BATCH_COMMANDS) {
      throw new RangeError(`A batch runs at most ${MAX_BATCH_COMMANDS} commands, got ${entries.length}; use bulk() to split them`);
    }
    const { halt = false, ...callOptions } = options;
    const outcomes = entries.length ? await send(entries, asList, halt, callOptions) : [];
    return fromEntries(
      entries.map((entry) => entry.key),
      outcomes,
      asList,
    ) as BatchResults<T>;
  }

  async function bulk<const T extends BatchCommands>(commands: T, options: BulkOptions = {}): Promise<BatchResults<T>> {
    const { halt = false, onProgress, chunkSize = MAX_BATCH_COMMANDS, ...callOptions } = options;
    const { signal } = callOptions;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_BATCH_COMMANDS) {
      throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_BATCH_COMMANDS}`);
    }
    const { entries, asList } = toEntries(commands, mask); // encodes everything first: a bad value fails before any request
    const outcomes: Array<BatchOutcome<unknown>> = [];
    let stopped: ((entry: Entry) => BatchFailure) | undefined;
    for (let start = 0; start < entries.length; start += chunkSize) {
      const chunk = entries.slice(start, start + chunkSize);
      if (!stopped && signal?.aborted) stopped = (entry) => failure('ABORTED', ABORTED, entry.method);
      if (stopped) {
        outcomes.push(...chunk.map(stopped));
        continue;
      }
      let chunkOutcomes: Array<BatchOutcome<unknown>>;
      try {
        chunkOutcomes = await send(chunk, asList, halt, callOptions);
      } catch (error) {
        if (!(error instanceof Bitrix24Error)) throw error;
        const shared: BatchFailure = error.code === 'ABORTED' ? failure('ABORTED', ABORTED_IN_FLIGHT, 'batch') : { ok: false, error };
        chunkOutcomes = chunk.map(() => shared);
      }
      outcomes.push(...chunkOutcomes);
      if (signal?.aborted) stopped = (entry) => failure('ABORTED', ABORTED, entry.method);
      else if (halt && chunkOutcomes.some((outcome) => !outcome.ok)) stopped = (entry) => failure('BATCH_HALTED', HALTED, entry.method);
      onProgress?.({ done: outcomes.length, total: entries.length });
    }
    return fromEntries(
      entries.map((entry) => entry.key),
      outcomes,
      asList,
    ) as BatchResults<T>;
  }

  return { batch, bulk };
}

const batchMethods = new WeakMap<object, BatchMethods>();

/** The batch methods bound to `client`'s call and masking, made once per client. */
function methodsOf(client: object): BatchMethods {
  let methods = batchMethods.get(client);
  if (!methods) {
    const { call, mask } = internalsOf(client);
    batchMethods.set(client, (methods = createBatchMethods(call, mask)));
  }
  return methods;
}

/**
 * Runs up to 50 typed commands in one `batch` request through `client`. Each command's outcome comes
 * back under its own key, typed by its method; a failed command is a {@link BatchFailure}, not a
 * rejection. Rejects with a {@link Bitrix24Error} only when the batch request as a whole fails
 * (network, 401, 503 after the client's retries, a 400 `ERROR_BATCH_LENGTH_EXCEEDED`, …), and with a
 * `RangeError` for more than 50 commands (use {@link bulk}).
 *
 * @example
 * import { batch, cmd } from 'b24-lead-contact';
 * const out = await batch(client, {
 *   link: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }),
 *   again: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1011 } }),
 * });
 * if (out.link.ok) console.log(out.link.result); // boolean
 * else console.error(out.link.error.code);
 */
export function batch<const T extends BatchCommands>(client: object, commands: T, options?: BatchOptions): Promise<BatchResults<T>> {
  return methodsOf(client).batch(commands, options);
}

/**
 * Runs any number of typed commands through `client` as consecutive `batch` requests of at most 50,
 * each paced by the client's rate limiter. Keeps keys and order; never rejects for a failed request:
 * the commands of a failed request get its error, the others keep their results. Stop it with
 * `signal`: commands not yet done come back as `ABORTED`. With `halt`, the run stops at the first
 * failure and the rest come back as `BATCH_HALTED`.
 *
 * @example
 * import { bulk, cmd } from 'b24-lead-contact';
 * const links = contactIds.map((id) => cmd.crm.lead.contact.add({ id: leadId, fields: { CONTACT_ID: id } }));
 * const out = await bulk(client, links, { onProgress: ({ done, total }) => console.log(done, '/', total) });
 * const failed = out.filter((o) => !o.ok);
 */
export function bulk<const T extends BatchCommands>(client: object, commands: T, options?: BulkOptions): Promise<BatchResults<T>> {
  return methodsOf(client).bulk(commands, options);
}
