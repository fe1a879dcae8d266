import { referencesIn, type BatchReferenceMatch, type ReferencePart } from '../wire/batch-reference.js';
import { MAX_BATCH_COMMANDS } from '../wire/bitrix24.js';
import { countParameters, decodeBracketForm, tooManyParameters } from '../wire/bracket-form.js';
import { coerceToSchema, requestSchemaOf } from '../wire/contract.js';
import { jsonSize } from '../wire/json-size.js';
import type { WireLimits } from '../wire/limits.js';
import { toErrorAnswer, WireError, type ErrorBody } from '../wire/wire-error.js';
import { contract } from './contract-data.js';
import type { AnswerLimits } from './limits.js';
import type { ResponseTime } from './response-time.js';

/** Bitrix24 runs at most this many commands of one batch; the rest fail one by one. */
export { MAX_BATCH_COMMANDS };

/** How the batch runner reaches the sandbox: run a command (result and time, or throw), or note one it refused. */
export interface CommandRunner {
  run(method: string, params: Record<string, unknown>, key: string): { result: unknown; time: ResponseTime; total?: number; next?: number };
  refused(method: string, params: Record<string, unknown>, key: string, error: ErrorBody): void;
}

const LENGTH_EXCEEDED: ErrorBody = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
const NESTED_BATCH: ErrorBody = { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };

const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 'true' || value === 'Y';

/** What the commands run so far answered, by part of the batch answer, as references read it. */
type AnswerSoFar = Record<ReferencePart, ReadonlyMap<string, unknown>>;

function lookup(answer: AnswerSoFar, { part, path: [key, ...steps] }: BatchReferenceMatch): unknown {
  let at: unknown = answer[part].get(key!);
  for (const step of steps) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

/** Characters `$result[…]` references may still add to this batch's commands (`maxBatchExpansionBytes`). */
interface ExpansionBudget {
  left: number;
  readonly max: number;
}

/** A cap that refuses the whole batch at one command (400, as the contract's `batchLengthExceeded`); the commands before it have run. */
class BatchLengthError extends WireError {
  constructor(description: string) {
    super(400, 'ERROR_BATCH_LENGTH_EXCEEDED', description);
  }
}

const commandName = (key: string) => `Batch command "${key.slice(0, 60)}"`;

/** Its references have grown the batch past `maxBatchExpansionBytes`. */
const expansionExceeded = (key: string, max: number) =>
  new BatchLengthError(
    `${commandName(key)} grows the batch past ${max} characters of $result[…] substitution (limits.maxBatchExpansionBytes); the commands before it have run.`,
  );

/** Its result would make the answer larger than `maxAnswerBytes`: the answer is never built. */
const answerExceeded = (key: string, max: number) =>
  new BatchLengthError(
    `${commandName(key)} makes the batch's answer larger than ${max} bytes of JSON (limits.maxAnswerBytes); it and the commands before it have run. Send fewer commands or ask for less.`,
  );

/**
 * Replaces the references a portal finds (src/wire/batch-reference.ts: `$result[…]`, `$next[…]`, …,
 * any letter case, each up to the next white space) in every string of decoded parameters by what
 * the earlier commands answered, charging each replacement to the batch's budget.
 */
function substitute(value: unknown, answer: AnswerSoFar, budget: ExpansionBudget, key: string): unknown {
  if (typeof value === 'string') {
    const references = referencesIn(value);
    if (references.length === 0) return value;
    let out = '';
    let from = 0;
    for (const reference of references) {
      const found = lookup(answer, reference);
      const text = found === undefined || found === null ? '' : typeof found === 'object' ? JSON.stringify(found) : String(found);
      budget.left -= text.length;
      if (budget.left < 0) throw expansionExceeded(key, budget.max);
      out += value.slice(from, reference.index) + text;
      from = reference.index + reference.text.length;
    }
    return out + value.slice(from);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, answer, budget, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, answer, budget, key)]));
  }
  return value;
}

/** A command line up to a raw `#` (Bitrix24 ignores the rest), split at the first `?`. */
function splitCommand(line: string): { method: string; query: string | undefined } {
  const hash = line.indexOf('#');
  const usable = hash < 0 ? line : line.slice(0, hash);
  const q = usable.indexOf('?');
  return { method: (q < 0 ? usable : usable.slice(0, q)).trim().toLowerCase(), query: q < 0 ? undefined : usable.slice(q + 1) };
}

/** `method?query` as Bitrix24 reads a command: the query has bracket nesting. */
function parseCommand(line: string, limits: WireLimits): { method: string; params: Record<string, unknown> } {
  const { method, query } = splitCommand(line);
  return { method, params: query === undefined ? {} : decodeBracketForm(query, limits) };
}

/**
 * The parameter cap covers the whole request: the pairs already read from its query and body, one
 * per command (as a form body has a `cmd[key]` pair per command, so a JSON body gets no more), and
 * the query pairs of the commands that will run. Checked before any command runs, so a refused
 * batch changes nothing, and a flood of commands past the 50th cannot grow the answer without bound.
 */
function checkParameterCount(lines: Array<[string, unknown]>, used: number, max: number) {
  let total = used + lines.length;
  if (total > max) throw tooManyParameters(max);
  for (const [, line] of lines.slice(0, MAX_BATCH_COMMANDS)) {
    const { query } = splitCommand(String(line));
    if (query !== undefined) total += countParameters(query);
    if (total > max) throw tooManyParameters(max);
  }
}

const part = (entries: Array<[string, unknown]>) => (entries.length === 0 ? [] : Object.fromEntries(entries));

/**
 * `batch` as Bitrix24 runs it: commands in order, each able to use earlier answers through
 * `$result[key]…` (and `$next`, `$total`, `$time`, `$error`; src/wire/batch-reference.ts); commands past the 50th and nested `batch` fail on their own; with `halt`, the
 * commands after the first failure do not run. Every part of the answer is keyed like `cmd`.
 * Commands past the 50th are neither decoded nor journaled. `usedParameters` is what the request
 * itself already counted against `maxParameters`.
 */
export function runBatch(params: Record<string, unknown>, runner: CommandRunner, limits: WireLimits & AnswerLimits, usedParameters = 0) {
  const cmd = params.cmd as Record<string, unknown> | unknown[];
  const halt = truthy(params.halt);
  const entries: Array<[string, unknown]> = Array.isArray(cmd) ? cmd.map((line, i) => [String(i), line]) : Object.entries(cmd);
  const results = new Map<string, unknown>();
  const errors = new Map<string, ErrorBody>();
  const times = new Map<string, ResponseTime>();
  checkParameterCount(entries, usedParameters, limits.maxParameters);
  const budget: ExpansionBudget = { left: limits.maxBatchExpansionBytes, max: limits.maxBatchExpansionBytes };
  const totals = new Map<string, number>();
  const nexts = new Map<string, number>();
  const answer: AnswerSoFar = { result: results, error: errors, total: totals, next: nexts, time: times };
  // Bytes of JSON the results may still add to the answer; each is measured, none is written out here.
  let answerLeft = limits.maxAnswerBytes;
  for (const [index, [key, line]] of entries.entries()) {
    if (index >= MAX_BATCH_COMMANDS) {
      errors.set(key, LENGTH_EXCEEDED);
      if (halt) break;
      continue;
    }
    let method = '';
    let typed: Record<string, unknown> = {};
    try {
      const command = parseCommand(String(line), limits);
      method = command.method;
      typed = coerceToSchema(contract, substitute(command.params, answer, budget, key), requestSchemaOf(contract, method)) as Record<string, unknown>;
      const refusal = method === 'batch' ? NESTED_BATCH : undefined;
      if (refusal) {
        runner.refused(method, typed, key, refusal);
        errors.set(key, refusal);
      } else {
        const { result, time, total, next } = runner.run(method, typed, key);
        answerLeft -= jsonSize(key, answerLeft) + 1 + jsonSize(result, answerLeft);
        if (answerLeft < 0) throw answerExceeded(key, limits.maxAnswerBytes);
        results.set(key, result);
        if (total !== undefined) totals.set(key, total);
        if (next !== undefined) nexts.set(key, next);
        times.set(key, time);
        continue;
      }
    } catch (error) {
      if (error instanceof BatchLengthError) throw error;
      const { body } = toErrorAnswer(error);
      if (!method) runner.refused(method, typed, key, body);
      errors.set(key, body);
    }
    if (halt) break;
  }
  return {
    result: part([...results]),
    result_error: part([...errors]),
    result_total: part([...totals]),
    result_next: part([...nexts]),
    result_time: part([...times]),
  };
}
