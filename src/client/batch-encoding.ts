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

function append(pairs: string[], key: string, value: unknown, ancestors: object[]): void {
  if (value instanceof Date) value = value.toISOString();
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    if (ancestors.includes(value)) throw new TypeError(`Cannot encode ${key}: it contains itself (a circular structure)`);
    ancestors.push(value);
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [name, item] of entries) append(pairs, `${key}[${encode(String(name))}]`, item, ancestors);
    ancestors.pop();
    return;
  }
  if (typeof value === 'function' || typeof value === 'symbol' || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new TypeError(`Cannot encode ${key}: not a parameter value`);
  }
  // PHP's http_build_query, which Bitrix24's own SDKs use, sends booleans as 1 and 0.
  pairs.push(`${key}=${encode(typeof value === 'boolean' ? `${+value}` : (value as string | number | bigint).toString(), key)}`);
}

/**
 * Encodes parameters as a query string with bracket nesting, as PHP's `http_build_query` does:
 * `{ id: 1, fields: { CONTACT_ID: 1010 } }` → `id=1&fields[CONTACT_ID]=1010`, arrays with explicit
 * indexes (`items[0][CONTACT_ID]=1010`). Brackets stay literal in keys, as the Bitrix24 docs write
 * them; every value is percent-encoded once. `null` and `undefined` are left out, booleans become
 * `1`/`0`, dates ISO 8601 text. An empty array or object has no query-string form and is left out.
 */
export function encodeQuery(params: Readonly<Record<string, unknown>>): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params)) append(pairs, encode(name), value, []);
  return pairs.join('&');
}

/**
 * Encodes one `batch` command: `method?query`, or the bare method when there are no parameters.
 * The string goes into a JSON body as it is (no second encoding).
 *
 * @example
 * encodeCommand('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } });
 * // 'crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010&fields[IS_PRIMARY]=Y'
 */
export function encodeCommand(method: string, params?: Readonly<Record<string, unknown>>): string {
  if (!METHOD_NAME.test(method)) throw new TypeError(`Not a Bitrix24 method name: ${JSON.stringify(method)}`);
  const query = params ? encodeQuery(params) : '';
  return query ? `${method}?${query}` : method;
}
