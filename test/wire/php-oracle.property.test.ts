// Real PHP is the oracle of the wire format: Bitrix24 reads form bodies, query strings and batch
// commands with `parse_str`. Our decoder and the client's encoder are compared with what php-cli makes
// of the same text; every input of a test goes to one php process. The two shapes JavaScript cannot
// hold are the documented exceptions (openapi/README.md, "Transport notes"): bytes that are not UTF-8
// read as U+FFFD, and a level keyed 0…n−1 in any order is an array in index order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeQuery } from '../../src/index.js';
import { decodeBracketForm } from '../../src/wire/bracket-form.js';
import { anyText } from '../support/code-points.js';
import { hasPhp, parseStrAll, requirePhp } from '../support/php.js';

requirePhp('the wire format against PHP parse_str');

/** Inputs where a hand-written parser is easy to get wrong; each is compared with PHP as it is. */
const EDGE_CASES = [
  'a.b=1',
  'ids[]=1&ids[]=2',
  'a[5]=x&a[]=y',
  'x[y=1',
  'a b=1',
  'a+b=1',
  'a%20b=1',
  '  a=1',
  '%20a[b]=1',
  ' =1',
  '=1',
  '[]=1',
  '[a]=1',
  'a[]]=1',
  'a[b]c=1',
  'a[b]]c=1',
  'a[b][[c]=1',
  'a[b][c=1',
  'a[=1&a=2',
  'a[b.c=1',
  'x[y.z[w=1',
  'x]y.z=1',
  'a.b[c.d]=1',
  'a[ b ]=1',
  'a[ ]=1',
  'a[  ]=1',
  'a[%09]=1&a[%0A]=2&a[%0B]=3&a[%0C]=4&a[%0D]=5&a[%A0]=6',
  'a[ ][b]=1&a[b][ ]=2',
  'a[0]=1&a[2]=2',
  'a[2]=1&a[0]=2',
  'a[1]=x&a[0]=y',
  'a[x]=1&a[]=2',
  'a[-1]=1&a[]=2',
  'a[-5]=1&a[]=2',
  'a[-5]=1&a[3]=1&a[]=2',
  'a[-0]=1&a[]=2',
  'a[01]=1&a[]=2',
  'a[1.0]=1&a[]=2',
  'a[9223372036854775806]=1&a[]=2&a[]=3',
  'a[9223372036854775807]=1&a[]=2',
  'a[9223372036854775808]=1&a[]=2',
  'a[b]=1&a=2',
  'a=2&a[b]=1',
  'a=1&a[]=2',
  'a[x]=1&a[x][y]=2',
  'a[][]=1&a[][]=2',
  'a[][b]=1&a[][b]=2',
  'x%5By%5D=1',
  'a%5B%5D=1&a%5B%5D=2',
  'a%00b=1',
  'a[b%00c]=1',
  'a=1%002',
  '&&a=1&&',
  'a==1',
  'a=1=2',
  'a',
  'a[]',
  '%41=%41%ZZ',
  'a=100%',
  'a=%',
  'a=%2',
  'a=%C3%A9%20%2B+',
  'a=%C3%28',
  'a=%F0%9F%98',
  'a=%ED%A0%80',
  'a=%C0%80',
  'a=é&b=😀',
  '__proto__[x]=1&constructor[prototype][y]=2',
  'fields[CONTACT_ID]=1010&items[1][SORT]=20&items[0][SORT]=10',
  `deep${'[a]'.repeat(32)}=1`,
];

/** Pieces of query text: names, brackets, separators and every kind of escape. */
const TOKENS = [
  'a',
  'b',
  'x',
  '_',
  '0',
  '1',
  '5',
  '-1',
  '01',
  '[',
  ']',
  '[]',
  '.',
  ' ',
  '+',
  '=',
  '&',
  '%',
  '%20',
  '%2B',
  '%26',
  '%3D',
  '%5B',
  '%5D',
  '%00',
  '%41',
  '%C3%A9',
  '%E0%A4',
  '%ZZ',
  '%2',
  'é',
  '😀',
];
const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 24 }).map((parts) => parts.join(''));

/** Well-formed-looking pairs: a name, a few bracket segments (some empty), a value. */
const segment = fc.oneof(
  fc.constantFrom('', '0', '1', '2', '10', '-3', 'a', 'b', 'ID', ' '),
  fc.string({ maxLength: 4 }).filter((s) => !/[\]&=#%\0]/.test(s)),
);
const pairText = fc
  .tuple(fc.constantFrom('id', 'fields', 'items', 'a', 'a.b', 'x y'), fc.array(segment, { maxLength: 4 }), fc.string({ maxLength: 6 }))
  .map(([name, path, value]) => `${encodeURIComponent(name)}${path.map((s) => `[${encodeURIComponent(s)}]`).join('')}=${encodeURIComponent(value)}`);
const structuredText = fc.array(pairText, { minLength: 1, maxLength: 8 }).map((pairs) => pairs.join('&'));

/**
 * One text per value: keys sorted, arrays and objects told apart, own `__proto__` keys kept (vitest's
 * deep equality reads `__proto__` as the prototype).
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The cases where our decoder and PHP disagree, with both answers, for a readable failure. */
async function disagreements(inputs: readonly string[]) {
  const php = await parseStrAll(inputs);
  return inputs.flatMap((input, i) => {
    const ours = decodeBracketForm(input);
    return canonical(ours) === canonical(php[i]) ? [] : [{ input, ours, php: php[i] }];
  });
}

describe.skipIf(!hasPhp)('decodeBracketForm reads what PHP parse_str reads', () => {
  it('agrees with PHP on every edge case', async () => {
    expect(await disagreements(EDGE_CASES)).toEqual([]);
  });

  it('agrees with PHP on random text built from brackets, separators and escapes (property)', async () => {
    const seed = Date.now();
    const inputs = [...fc.sample(tokenText, { numRuns: 400, seed }), ...fc.sample(structuredText, { numRuns: 400, seed })];
    expect(await disagreements(inputs), `fast-check seed ${seed}`).toEqual([]);
  });
});

/** What PHP's parse_str gives back for a value we encode: text, 1/0 for booleans, no null or empty containers. */
function asPhpSees(value: unknown, top = true): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value !== 'object') return String(value);
  const entries = Object.entries(value).flatMap(([key, item]) => {
    const seen = asPhpSees(item, false);
    return seen === undefined ? [] : [[key, seen] as const];
  });
  if (entries.length === 0) return top ? {} : undefined;
  if (!top && entries.every(([key], i) => key === String(i))) return entries.map(([, item]) => item);
  return Object.fromEntries(entries);
}

const AWKWARD = [
  'John&Martin',
  'a=b',
  '100%',
  '%26',
  '[x]',
  'a]b[c',
  '#tag',
  'a+b c',
  '?q=1&r',
  'Привет, мир',
  'Ünïcödé 😀',
  'quote\'"',
  'tab\tnew\nline',
  '$price[net]', // a $ and brackets; a $result[…] reference is refused in a command (test/unit/batch-encoding.test.ts)
  '',
  ' lead ',
  'nul\0byte',
];

const topName = fc.oneof(
  fc.constantFrom('id', 'fields', 'items', 'filter', 'x]y', '0', '7'),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[. [\0]/.test(s)),
);
const nestedKey = fc.oneof(
  fc.constantFrom('CONTACT_ID', 'SORT', 'IS_PRIMARY', '0', '5', '-1', '01', '[x', 'a.b', ' sp ', '__proto__'),
  fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[\]\0]|^\s$/.test(s)),
);
const text = fc.oneof(anyText({ maxLength: 12 }), fc.constantFrom(...AWKWARD));
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.bigInt(),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(nestedKey, tie('tree'), { maxKeys: 3 })),
}));
const paramsArb = fc.dictionary(topName, tree, { minKeys: 1, maxKeys: 4 });

const queryOf = (line: string) => (line.includes('?') ? line.slice(line.indexOf('?') + 1) : '');

describe.skipIf(!hasPhp)('encodeCommand writes what PHP parse_str reads back as the original', () => {
  it('round-trips random parameter trees through real PHP (property)', async () => {
    const seed = Date.now();
    const cases = fc.sample(paramsArb, { numRuns: 400, seed });
    const lines = cases.map((params) => encodeCommand('crm.lead.contact.add', params));
    // A raw # would end the command (Bitrix24 splits it with parse_url); raw white space is not URL text.
    for (const line of lines) expect(line).not.toMatch(/[#\s]/);
    const php = await parseStrAll(lines.map(queryOf));
    const wrong = cases.flatMap((params, i) => {
      const expected = canonical(asPhpSees(params));
      const ours = canonical(decodeBracketForm(queryOf(lines[i]!)));
      return canonical(php[i]) === expected && ours === expected ? [] : [{ line: lines[i], php: php[i], expected: asPhpSees(params) }];
    });
    expect(wrong, `fast-check seed ${seed}`).toEqual([]);
  });

  it.each(AWKWARD)('%j survives the trip through PHP in a value and a key', async (value) => {
    const key = /[\]\0]|^\s?$/.test(value) ? 'KEY' : value;
    const params = { id: 7, fields: { TITLE: value, [key]: value, LIST: [value, { DEEP: value }] } };
    const [php] = await parseStrAll([queryOf(encodeCommand('crm.lead.add', params))]);
    expect(canonical(php)).toBe(canonical(asPhpSees(params)));
  });

  it('a raw # in a command would cut it short, which is why the encoder escapes it', async () => {
    const [php] = await parseStrAll(['fields[TITLE]=a%23b']);
    expect(php).toEqual({ fields: { TITLE: 'a#b' } });
    expect(encodeQuery({ fields: { TITLE: 'a#b' } })).toBe('fields[TITLE]=a%23b');
  });
});

describe('encodeQuery refuses names PHP parse_str would not read back as themselves', () => {
  it.each([
    [{ 'a.b': 1 }, /parameter "a\.b": a top-level name must be non-empty and hold no "\."/],
    [{ 'a b': 1 }, /parameter "a b"/],
    [{ 'a[b': 1 }, /parameter "a\[b"/],
    [{ '': 1 }, /parameter "": a top-level name must be non-empty/],
    [{ fields: { 'a]b': 1 } }, /fields\[a\]b\]: a nested key must be non-empty, .* and hold no "\]"/],
    [{ fields: { '': 1 } }, /fields\[\]: a nested key must be non-empty/],
    [{ fields: { 'a\0b': 1 } }, /a nested key .* NUL/],
    [{ fields: { ' ': 1 } }, /fields\[ \]: a nested key must be non-empty, not one white-space character/],
  ])('%j', (params, message) => {
    expect(() => encodeQuery(params)).toThrow(TypeError);
    expect(() => encodeQuery(params)).toThrow(message);
  });

  it('refuses more than 64 levels, which PHP would drop without a word', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 64; i++) deep = { a: deep };
    expect(() => encodeQuery({ f: deep })).toThrow(/nests deeper than 64 levels/);
    let fits: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 62; i++) fits = { a: fits };
    expect(encodeQuery({ f: fits })).toMatch(/^f(\[a\]){62}\[leaf\]=1$/);
  });
});
