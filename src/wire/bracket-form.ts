import { DEFAULT_LIMITS, type WireLimits } from './limits.js';
import { WireError } from './wire-error.js';

type Container = Record<string, unknown>;

/** Percent-decoding as PHP's `urldecode`: `+` is a space, a broken `%` sequence stays as sent. */
function urldecode(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** `a[b][]` → `['a', 'b', '']`; a key whose brackets do not pair up is one plain name. */
function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  let at = open;
  while (at < key.length) {
    if (key[at] !== '[') return [key];
    const close = key.indexOf(']', at);
    if (close < 0) return [key];
    const segment = key.slice(at + 1, close);
    if (segment.includes('[')) return [key];
    path.push(segment);
    at = close + 1;
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

const shown = (key: string) => (key.length > 60 ? `${key.slice(0, 57)}...` : key);

/**
 * Decodes a form body or query string with bracket nesting, the way Bitrix24 (PHP) reads it:
 * `fields[CONTACT_ID]=1010` gives `{ fields: { CONTACT_ID: '1010' } }`, `ids[]=1&ids[]=2` appends, and a
 * level whose keys are all indexes (`items[0][SORT]=10`) becomes an array in index order. Values stay
 * text (see `coerceToSchema`).
 *
 * Linear in the input: each pair is split once and `[]` appends use a running index per level, not a
 * count of the keys so far. Containers are built without prototypes, so `__proto__[x]=1` is plain data.
 * Throws a 400 {@link WireError} past `maxParameters` pairs or `maxDepth` brackets. Pass the same
 * `budget` to every decode of one request, so that its query and body share the parameter cap.
 */
export function decodeBracketForm(
  text: string,
  limits: Pick<WireLimits, 'maxDepth' | 'maxParameters'> = DEFAULT_LIMITS,
  budget: ParameterCount = { used: 0 },
): Record<string, unknown> {
  const root: Container = Object.create(null);
  const nextIndex = new Map<Container, number>();
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
    const value = eq < 0 ? '' : urldecode(pair.slice(eq + 1));
    const path = keyPath(key);
    if (path.length - 1 > limits.maxDepth) {
      throw new WireError(400, '', `Parameter ${shown(key)} nests deeper than ${limits.maxDepth} levels.`);
    }
    let node = root;
    for (let i = 0; i < path.length; i++) {
      let name = path[i]!;
      if (name === '' && i > 0) name = String(nextIndex.get(node) ?? 0);
      if (/^\d+$/.test(name)) nextIndex.set(node, Math.max(nextIndex.get(node) ?? 0, Number(name) + 1));
      if (i === path.length - 1) {
        node[name] = value;
      } else {
        const child = node[name];
        node = typeof child === 'object' && child !== null ? (child as Container) : (node[name] = Object.create(null) as Container);
      }
    }
  }
  return finish(root) as Record<string, unknown>;
}

/** Turns the null-prototype tree into plain objects, and index-only levels into arrays. */
function finish(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.keys(value).map((key) => [key, finish((value as Container)[key])] as const);
  if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, item]) => item);
  }
  return Object.fromEntries(entries);
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
