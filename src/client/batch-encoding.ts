import { BATCH_REFERENCE } from '../wire/batch-reference.js';

/** A method name as Bitrix24 spells it: dot-separated words of letters, digits and underscores. */
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;

/**
 * Percent-encodes one key segment or value. `encodeURIComponent` covers every character the
 * encoding page lists (`&`, `=`, `?`, `%`, `[`, `]`, `#`, `+`, spaces, non-ASCII as UTF-8), and what
 * it leaves alone (`A-Z a-z 0-9 - _ . ! ~ * ' ( )`) PHP's `parse_str` reads back unchanged.
 * https://apidocs.bitrix24.com/settings/how-to-call-rest-api/data-encoding.html
 */
function encode(text: string, where = text): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // encodeURIComponent throws URIError on a lone UTF-16 surrogate, which has no UTF-8 form.
    throw new TypeError(`Cannot encode ${where}: the text holds a lone UTF-16 surrogate (broken Unicode)`);
  }
}

/** PHP's `max_input_nesting_level` default: `parse_str` drops a key with more brackets than this. */
const MAX_NESTING = 64;

/**
 * Refuses a name `parse_str` would not read back as itself: it decodes a key before it looks for
 * brackets, so no escaping can carry a `]` inside a nested key, and it renames `.` and space in a
 * top-level name to `_` (main/php_variables.c). An empty nested key, or one white-space character,
 * reads as `[]`, an append.
 */
function checkName(name: string, parent?: string): void {
  if (parent === undefined ? name !== '' && !/[. [\0]/.test(name) : name !== '' && !/[\]\0]|^[ \t\n\v\f\r]$/.test(name)) return;
  throw new TypeError(
    parent === undefined
      ? `Cannot encode parameter ${JSON.stringify(name)}: a top-level name must be non-empty and hold no ".", space, "[" or NUL (PHP's parse_str would rename or drop it)`
      : `Cannot encode ${parent}[${name}]: a nested key must be non-empty, not one white-space character, and hold no "]" or NUL (PHP's parse_str would cut the key there or append)`,
  );
}

/**
 * A reference to an earlier command's result that a batch command means to send, e.g. the
 * `$result[p0][49][ID]` readAll chains its pages with. Only such an object is sent as a reference:
 * the same text as a plain value is refused (see {@link encodeCommand}).
 */
export class BatchReference {
  constructor(readonly text: string) {}
}

function append(pairs: string[], key: string, value: unknown, ancestors: object[], command: boolean): void {
  if (value instanceof Date) value = value.toISOString();
  if (value instanceof BatchReference) return void pairs.push(`${key}=${encode(value.text, key)}`);
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    if (ancestors.includes(value)) throw new TypeError(`Cannot encode ${key}: it contains itself (a circular structure)`);
    ancestors.push(value);
    if (ancestors.length > MAX_NESTING)
      throw new TypeError(`Cannot encode ${key}: it nests deeper than ${MAX_NESTING} levels (PHP's parse_str drops such keys)`);
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [name, item] of entries) {
      if (!Array.isArray(value)) checkName(name as string, key);
      append(pairs, `${key}[${encode(String(name))}]`, item, ancestors, command);
    }
    ancestors.pop();
    return;
  }
  if (typeof value === 'function' || typeof value === 'symbol' || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new TypeError(`Cannot encode ${key}: not a parameter value`);
  }
  // PHP's http_build_query, which Bitrix24's own SDKs use, sends booleans as 1 and 0.
  const text = typeof value === 'boolean' ? `${+value}` : (value as string | number | bigint).toString();
  // A portal replaces references in every value of a command (src/wire/batch-reference.ts), so such
  // text would not arrive as written.
  const reference = command ? BATCH_REFERENCE.exec(text) : null;
  if (reference) {
    throw new TypeError(
      `Cannot send ${decodeURIComponent(key)} in a batch command: Bitrix24 would replace ${JSON.stringify(reference[0].slice(0, 40))} in it (send it in a call of its own)`,
    );
  }
  pairs.push(`${key}=${encode(text, key)}`);
}

/**
 * Encodes parameters as a query string with bracket nesting, as PHP's `http_build_query` does:
 * `{ id: 1, fields: { CONTACT_ID: 1010 } }` → `id=1&fields[CONTACT_ID]=1010`, arrays with explicit
 * indexes (`items[0][CONTACT_ID]=1010`). Brackets stay literal in keys, as the Bitrix24 docs write
 * them; every value is percent-encoded once. `null` and `undefined` are left out, booleans become
 * `1`/`0`, dates ISO 8601 text. An empty array or object has no query-string form and is left out.
 * A name PHP's `parse_str` would not read back as itself (`a.b` at the top, `]` in a nested key,
 * more than 64 levels) is refused with a TypeError; test/wire/php-oracle.property.test.ts checks the
 * rest against real PHP.
 */
export function encodeQuery(params: Readonly<Record<string, unknown>>): string {
  return encodePairs(params, false);
}

function encodePairs(params: Readonly<Record<string, unknown>>, command: boolean): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    checkName(name);
    append(pairs, encode(name), value, [], command);
  }
  return pairs.join('&');
}

/**
 * Encodes one `batch` command: `method?query`, or the bare method when there are no parameters.
 * The string goes into a JSON body as it is (no second encoding).
 *
 * A portal replaces `$result[…]` references (and `$next`, `$total`, `$time`, `$error`, any letter
 * case; see src/wire/batch-reference.ts) in every value of a command before it runs, so a value
 * holding one would not arrive as written: it is refused with a TypeError naming the parameter.
 * A reference meant as one is passed as a {@link BatchReference}.
 *
 * @example
 * encodeCommand('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } });
 * // 'crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010&fields[IS_PRIMARY]=Y'
 */
export function encodeCommand(method: string, params?: Readonly<Record<string, unknown>>): string {
  if (!METHOD_NAME.test(method)) throw new TypeError(`Not a Bitrix24 method name: ${JSON.stringify(method)}`);
  const query = params ? encodePairs(params, true) : '';
  return query ? `${method}?${query}` : method;
}
