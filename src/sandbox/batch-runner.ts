import { decodeBracketForm } from '../wire/bracket-form.js';
import { coerceToSchema, requestSchemaOf } from '../wire/contract.js';
import type { WireLimits } from '../wire/limits.js';
import { toErrorAnswer, type ErrorBody } from '../wire/wire-error.js';
import { contract } from './contract-data.js';
import type { ResponseTime } from './response-time.js';

/** Bitrix24 runs at most this many commands of one batch; the rest fail one by one. */
export const MAX_BATCH_COMMANDS = 50;

/** How the batch runner reaches the sandbox: run a command (result and time, or throw), or note one it refused. */
export interface CommandRunner {
  run(method: string, params: Record<string, unknown>, key: string): { result: unknown; time: ResponseTime; total?: number; next?: number };
  refused(method: string, params: Record<string, unknown>, key: string, error: ErrorBody): void;
}

const LENGTH_EXCEEDED: ErrorBody = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
const NESTED_BATCH: ErrorBody = { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' };

const truthy = (value: unknown) => value === true || value === 1 || value === '1' || value === 'true' || value === 'Y';

/** `$result[key][0][CONTACT_ID]` in a value: the reference and the path into an earlier result. */
const REFERENCE = /\$result\[([^\]]*)\]((?:\[[^\]]*\])*)/g;

function lookup(results: Map<string, unknown>, key: string, path: string): unknown {
  let at: unknown = results.get(key);
  for (const [, segment] of path.matchAll(/\[([^\]]*)\]/g)) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, segment!)) return undefined;
    at = (at as Record<string, unknown>)[segment!];
  }
  return at;
}

/** Replaces `$result[…]` references in every string of decoded parameters by what the earlier commands returned. */
function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$result[')) return value;
    return value.replace(REFERENCE, (_whole, key: string, path: string) => {
      const found = lookup(results, key, path);
      return found === undefined || found === null ? '' : typeof found === 'object' ? JSON.stringify(found) : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, results));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  return value;
}

/** Splits `method?query` as Bitrix24 reads a command: a raw `#` ends it, the query has bracket nesting. */
function parseCommand(line: string, limits: WireLimits): { method: string; params: Record<string, unknown> } {
  const hash = line.indexOf('#');
  const usable = hash < 0 ? line : line.slice(0, hash);
  const q = usable.indexOf('?');
  const method = (q < 0 ? usable : usable.slice(0, q)).trim().toLowerCase();
  return { method, params: q < 0 ? {} : decodeBracketForm(usable.slice(q + 1), limits) };
}

const part = (entries: Array<[string, unknown]>) => (entries.length === 0 ? [] : Object.fromEntries(entries));

/**
 * `batch` as Bitrix24 runs it: commands in order, each able to use earlier results through
 * `$result[key]…`; commands past the 50th and nested `batch` fail on their own; with `halt`, the
 * commands after the first failure do not run. Every part of the answer is keyed like `cmd`.
 */
export function runBatch(params: Record<string, unknown>, runner: CommandRunner, limits: WireLimits) {
  const cmd = params.cmd as Record<string, unknown> | unknown[];
  const halt = truthy(params.halt);
  const entries: Array<[string, unknown]> = Array.isArray(cmd) ? cmd.map((line, i) => [String(i), line]) : Object.entries(cmd);
  const results = new Map<string, unknown>();
  const errors: Array<[string, ErrorBody]> = [];
  const times: Array<[string, ResponseTime]> = [];
  const totals: Array<[string, number]> = [];
  const nexts: Array<[string, number]> = [];
  for (const [index, [key, line]] of entries.entries()) {
    let method = '';
    let typed: Record<string, unknown> = {};
    try {
      const command = parseCommand(String(line), limits);
      method = command.method;
      typed = coerceToSchema(contract, substitute(command.params, results), requestSchemaOf(contract, method)) as Record<string, unknown>;
      const refusal = index >= MAX_BATCH_COMMANDS ? LENGTH_EXCEEDED : method === 'batch' ? NESTED_BATCH : undefined;
      if (refusal) {
        runner.refused(method, typed, key, refusal);
        errors.push([key, refusal]);
      } else {
        const { result, time, total, next } = runner.run(method, typed, key);
        results.set(key, result);
        if (total !== undefined) totals.push([key, total]);
        if (next !== undefined) nexts.push([key, next]);
        times.push([key, time]);
        continue;
      }
    } catch (error) {
      const { body } = toErrorAnswer(error);
      if (!method) runner.refused(method, typed, key, body);
      errors.push([key, body]);
    }
    if (halt) break;
  }
  return {
    result: part([...results]),
    result_error: part(errors),
    result_total: part(totals),
    result_next: part(nexts),
    result_time: part(times),
  };
}
