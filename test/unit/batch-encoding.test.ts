import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeQuery } from '../../src/index.js';
import { BatchReference } from '../../src/client/batch-encoding.js';
import { BATCH_REFERENCE, referencesIn } from '../../src/wire/batch-reference.js';

// What PHP's parse_str reads back from these lines is checked against real PHP in
// test/wire/php-oracle.property.test.ts; here, the exact text the encoder writes.

describe('encodeCommand', () => {
  it('writes the official example as method?query with bracket nesting', () => {
    expect(encodeCommand('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } })).toBe(
      'crm.lead.contact.add?id=1&fields[CONTACT_ID]=1010&fields[SORT]=10&fields[IS_PRIMARY]=Y',
    );
  });

  it('indexes arrays explicitly, as http_build_query does', () => {
    expect(encodeQuery({ id: 1, items: [{ CONTACT_ID: 1010, IS_PRIMARY: 'Y' }, { CONTACT_ID: 1011 }] })).toBe(
      'id=1&items[0][CONTACT_ID]=1010&items[0][IS_PRIMARY]=Y&items[1][CONTACT_ID]=1011',
    );
  });

  it('sends a method without parameters bare', () => {
    expect(encodeCommand('crm.lead.contact.fields', {})).toBe('crm.lead.contact.fields');
    expect(encodeCommand('crm.lead.contact.fields')).toBe('crm.lead.contact.fields');
  });

  it.each([
    ['John&Martin', 'John%26Martin'],
    ['a=b', 'a%3Db'],
    ['100%', '100%25'],
    ['[x]', '%5Bx%5D'],
    ['#tag', '%23tag'],
    ['a+b c', 'a%2Bb%20c'],
    ['Привет', '%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82'],
  ])('percent-encodes %j once inside a value', (value, encoded) => {
    expect(encodeCommand('crm.lead.add', { fields: { TITLE: value } })).toBe(`crm.lead.add?fields[TITLE]=${encoded}`);
  });

  it('gives the double encoding of the data-encoding page once the command itself goes into a query string', () => {
    const line = encodeCommand('crm.lead.add', { fields: { TITLE: 'John&Martin' } });
    expect(`cmd[0]=${encodeURIComponent(line)}`).toBe('cmd[0]=crm.lead.add%3Ffields%5BTITLE%5D%3DJohn%2526Martin');
  });

  it('sends booleans as 1/0 and leaves out null, undefined and empty containers', () => {
    expect(encodeQuery({ a: true, b: false, c: null, d: undefined, e: [], f: {}, g: 0 })).toBe('a=1&b=0&g=0');
  });

  it('refuses what is not a method name or not a parameter value', () => {
    expect(() => encodeCommand('crm.lead.add?id=1', {})).toThrow(TypeError);
    expect(() => encodeCommand('', {})).toThrow(TypeError);
    expect(() => encodeQuery({ id: Number.NaN })).toThrow(/not a parameter value/);
    expect(() => encodeQuery({ f: () => 1 })).toThrow(TypeError);
  });

  it('names the parameter whose text is broken Unicode (a lone surrogate) instead of a bare URIError', () => {
    expect(() => encodeQuery({ fields: { TITLE: 'a\uD800b' } })).toThrow(/Cannot encode fields\[TITLE\]: .*lone UTF-16 surrogate/);
  });
});

const REFERENCES = [
  '$result[x]',
  'Use code $result[promo] at checkout',
  '$RESULT[a][0][ID]',
  '$next[p0]',
  '$total[p0]',
  '$time[p0][start]',
  '$error[p0]',
  '$resultat[x]',
  'a\u00a0$result[x]',
];
const NOT_REFERENCES = ['$result', '$total price', '$result [x]', '$result[]', 'price: $5 [net]', 'x$results', '$result[a b]'];

describe('encodeCommand: values a portal would read as references to earlier commands', () => {
  it.each(REFERENCES)('refuses %j with a TypeError naming the parameter', (value) => {
    expect(() => encodeCommand('crm.lead.update', { id: 1, fields: { TITLE: value } })).toThrow(/Cannot send fields\[TITLE\] in a batch command/);
  });

  it.each(NOT_REFERENCES)('sends %j as written (no reference a portal resolves)', (value) => {
    expect(encodeCommand('crm.lead.update', { fields: { TITLE: value } })).toBe(`crm.lead.update?fields[TITLE]=${encodeURIComponent(value)}`);
  });

  it('sends a query string outside a batch command as written', () => {
    expect(encodeQuery({ TITLE: '$result[x]' })).toBe('TITLE=%24result%5Bx%5D');
  });

  it('sends a BatchReference as the reference it holds', () => {
    expect(encodeCommand('crm.lead.list', { filter: { '>ID': new BatchReference('$result[p0][49][ID]') } })).toBe(
      'crm.lead.list?filter[%3EID]=%24result%5Bp0%5D%5B49%5D%5BID%5D',
    );
  });
});

describe('what a portal reads as a reference (src/wire/batch-reference.ts)', () => {
  // The client tests a value with BATCH_REFERENCE, the sandbox substitutes what referencesIn finds: one rule.
  it.each([...REFERENCES, ...NOT_REFERENCES, '$result[a]x[b] $next', 'a$time[1]', '$ERROR[p0]b c'])('%j: the test and the finder agree', (value) => {
    expect(BATCH_REFERENCE.test(value)).toBe(referencesIn(value).length > 0);
  });
});
