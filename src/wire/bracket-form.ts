import { DEFAULT_LIMITS, type WireLimits } from './limits.js';
import { WireError } from './wire-error.js';

type Container = Record<string, unknown>;

/**
 * Percent-decoding as PHP's `urldecode`: `+` is a space, each `%XX` is one byte and any other `%` stays
 * as sent. The bytes are read as UTF-8; a sequence that is not UTF-8 becomes U+FFFD (PHP keeps the raw
 * bytes, which a JavaScript string cannot hold).
 */
function urldecode(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return decodeBytewise(spaced);
  }
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** The slow path of {@link urldecode}, for text that `decodeURIComponent` refuses. */
function decodeBytewise(text: string): string {
  const raw = new TextEncoder().encode(text);
  const bytes = new Uint8Array(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const pair = raw[i] === 0x25 && i + 2 < raw.length ? String.fromCharCode(raw[i + 1]!, raw[i + 2]!) : '';
    if (HEX.test(pair)) {
      bytes[length++] = Number.parseInt(pair, 16);
      i += 2;
    } else {
      bytes[length++] = raw[i]!;
    }
  }
  return new TextDecoder().decode(bytes.subarray(0, length));
}

/** C's `isspace`: PHP skips one of these after `[` before it looks for `]`. */
const ONE_SPACE = ' \t\n\v\f\r';

/**
 * A key as PHP's `php_register_variable_ex` reads it (main/php_variables.c): cut at a NUL, leading
 * spaces dropped, `.` and space in the top-level name turned into `_`, then one segment per `[…]`
 * (everything up to the next `]`, so `a[[b]` has the segment `[b`; one white-space character alone
 * appends, like an empty segment). Reading stops at the first `]` not followed by `[`. An unclosed
 * first `[` makes the whole key one name (`a[b` → `a_b`); an unclosed later one is ignored. Returns
 * undefined for an empty name, which PHP drops.
 */
function keyPath(decoded: string): string[] | undefined {
  const nul = decoded.indexOf('\0');
  let key = nul < 0 ? decoded : decoded.slice(0, nul);
  if (key.startsWith(' ')) key = key.replace(/^ +/, '');
  let open = key.indexOf('[');
  const base = (open < 0 ? key : key.slice(0, open)).replace(/[. ]/g, '_');
  if (base === '') return undefined;
  const path = [base];
  while (open >= 0) {
    const close = key.indexOf(']', open + 1);
    if (close < 0) {
      if (path.length === 1) path[0] = `${base}_${key.slice(open + 1).replace(/[. []/g, '_')}`;
      break;
    }
    const segment = key.slice(open + 1, close);
    path.push(segment.length === 1 && ONE_SPACE.includes(segment) ? '' : segment);
    open = key[close + 1] === '[' ? close + 1 : -1;
  }
  return path;
}

/** Parameters one request has used so far, shared by the decodes of its parts. */
export interface ParameterCount {
  used: number;
}

export const tooManyParameters = (max: number) =>
  new WireError(400, '', `Too many parameters: at most ${max} are accepted in one request (query, body and batch commands together).`);

/** How many `key=value` pairs a form text holds, without decoding any (what the parameter cap counts). */
export function countParameters(text: string): number {
  let count = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) count++;
    start = end + 1;
  }
  return count;
}

const LONG_MAX = 9223372036854775807n;

/**
 * The integer a key stands for when PHP stores it as an integer key (`ZEND_HANDLE_NUMERIC_STR`):
 * decimal, no `+`, no leading zero, not `-0`, within 64 bits. `'01'` and `'1.0'` stay text.
 */
function integerKey(name: string): number | bigint | undefined {
  if (!/^(?:0|-?[1-9]\d*)$/.test(name)) return undefined;
  if (name.length < 16) return Number(name);
  const big = BigInt(name);
  return big > LONG_MAX || big < -LONG_MAX - 1n ? undefined : big;
}

/** PHP's next free index after an integer key `k`: k + 1, held at the 64-bit maximum. */
function after(k: number | bigint): number | bigint {
  if (typeof k === 'number') return k + 1;
  return k >= LONG_MAX ? LONG_MAX : k + 1n;
}

const shown = (key: string) => (key.length > 60 ? `${key.slice(0, 57)}...` : key);

/**
 * Decodes a form body or query string with bracket nesting exactly as PHP's `parse_str` (which Bitrix24
 * uses) does, checked against real PHP in test/wire/php-oracle.property.test.ts:
 * `fields[CONTACT_ID]=1010` gives `{ fields: { CONTACT_ID: '1010' } }`, `ids[]=1&ids[]=2` appends after
 * the largest integer key so far, `a.b=1` is `a_b`, `a[b]c=1` is `a[b]`, and a later pair for the same
 * key replaces the earlier one. Values stay text (see `coerceToSchema`).
 *
 * What JavaScript cannot hold is shaped instead (openapi/README.md, "Transport notes"): a level whose keys
 * are exactly 0…n−1 becomes an array in index order, even when the indexes arrived in another order.
 *
 * Linear in the input: each pair is split once and `[]` appends use a running index per level, not a
 * count of the keys so far. Containers are built without prototypes, so `__proto__[x]=1` is plain data.
 * Throws a 400 {@link WireError} past `maxParameters` pairs or `maxDepth` brackets (PHP would drop the
 * pairs past `max_input_vars` or `max_input_nesting_level` without a word). Pass the same
 * `budget` to every decode of one request, so that its query and body share the parameter cap.
 */
export function decodeBracketForm(
  text: string,
  limits: Pick<WireLimits, 'maxDepth' | 'maxParameters'> = DEFAULT_LIMITS,
  budget: ParameterCount = { used: 0 },
): Record<string, unknown> {
  const root: Container = Object.create(null);
  const nextIndex = new Map<Container, number | bigint>();
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    const pair = text.slice(start, end);
    start = end + 1;
    if (pair === '') continue;
    if (++budget.used > limits.maxParameters) throw tooManyParameters(limits.maxParameters);
    const eq = pair.indexOf('=');
    const key = urldecode(eq < 0 ? pair : pair.slice(0, eq));
    const path = keyPath(key);
    if (!path) continue;
    if (path.length - 1 > limits.maxDepth) {
      throw new WireError(400, '', `Parameter ${shown(key)} nests deeper than ${limits.maxDepth} levels.`);
    }
    assign(root, path, eq < 0 ? '' : urldecode(pair.slice(eq + 1)), nextIndex);
  }
  // The top level stays an object: parameters are named, even `0=x`.
  return Object.fromEntries(Object.keys(root).map((key) => [key, finish(root[key])]));
}

/** Stores `value` at `path`, as PHP does: a non-array on the way is replaced, `[]` takes the next free index. */
function assign(root: Container, path: readonly string[], value: string, nextIndex: Map<Container, number | bigint>): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    let name = path[i]!;
    if (name === '' && i > 0) {
      const slot = nextIndex.get(node) ?? 0;
      name = String(slot);
      // Only at the 64-bit maximum can the next slot be taken; PHP then drops the pair with a warning.
      if (Object.hasOwn(node, name)) return;
      nextIndex.set(node, after(slot));
    } else {
      const integer = integerKey(name);
      if (integer !== undefined) {
        const next = nextIndex.get(node);
        if (next === undefined || integer >= next) nextIndex.set(node, after(integer));
      }
    }
    if (i === path.length - 1) {
      node[name] = value;
    } else {
      const child = node[name];
      node = typeof child === 'object' && child !== null ? (child as Container) : (node[name] = Object.create(null) as Container);
    }
  }
}

/** Turns the null-prototype tree into plain objects, and levels keyed exactly 0…n−1 into arrays. */
function finish(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  // Integer-like keys come first in ascending order (ECMAScript's own-key order), so 0…n−1 reads as i === key.
  if (keys.length > 0 && keys.every((key, i) => key === String(i))) return keys.map((key) => finish((value as Container)[key]));
  return Object.fromEntries(keys.map((key) => [key, finish((value as Container)[key])]));
}

/** Throws a 400 {@link WireError} when a parsed JSON value nests deeper than `maxDepth`. Iterative. */
export function checkDepth(value: unknown, maxDepth: number = DEFAULT_LIMITS.maxDepth): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) throw new WireError(400, '', `The request nests deeper than ${maxDepth} levels.`);
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}
