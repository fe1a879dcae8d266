import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeQuery } from '../../src/index.js';

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
