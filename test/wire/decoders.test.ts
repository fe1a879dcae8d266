import { describe, expect, it } from 'vitest';
import { checkDepth, decodeBracketForm } from '../../src/wire/bracket-form.js';
import { DEFAULT_LIMITS } from '../../src/wire/limits.js';
import { readBodyText } from '../../src/wire/read-body.js';
import { WireError } from '../../src/wire/wire-error.js';

const rejection = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('decodeBracketForm reads bodies as Bitrix24 (PHP) does', () => {
  it('nests bracket keys, turns index-only levels into arrays and appends with []', () => {
    expect(decodeBracketForm('id=1&fields[CONTACT_ID]=1010&items[1][SORT]=20&items[0][SORT]=10&ids[]=a&ids[]=b')).toEqual({
      id: '1',
      fields: { CONTACT_ID: '1010' },
      items: [{ SORT: '10' }, { SORT: '20' }],
      ids: ['a', 'b'],
    });
  });

  it('decodes + as a space and leaves a broken % sequence as sent', () => {
    expect(decodeBracketForm('a=x+y%21&b=100%&c')).toEqual({ a: 'x y!', b: '100%', c: '' });
  });

  it('an unclosed first bracket makes the key one name, with _ for it as PHP writes it', () => {
    expect(decodeBracketForm('a[b=1&c]d[=2')).toEqual({ a_b: '1', 'c]d_': '2' });
  });

  it('__proto__ and constructor keys are plain data and never touch a prototype', () => {
    const decoded = decodeBracketForm('__proto__[polluted]=1&constructor[prototype][polluted]=2&a[__proto__][polluted]=3') as Record<string, any>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(decoded.constructor.prototype.polluted).toBe('2');
  });

  it('regression (hardening #5): ten thousand x[]= appends decode in one pass (was quadratic: 35 s for 240 KB)', () => {
    const body = Array.from({ length: DEFAULT_LIMITS.maxParameters }, () => 'x[]=1').join('&');
    expect((decodeBracketForm(body).x as unknown[]).length).toBe(DEFAULT_LIMITS.maxParameters);
  });

  it('more parameters than the cap get a 400 naming the cap', () => {
    const body = Array.from({ length: DEFAULT_LIMITS.maxParameters + 1 }, (_, i) => `k${i}=1`).join('&');
    expect(rejection(() => decodeBracketForm(body))).toMatchObject({ status: 400, code: '', message: /at most 10000/ });
  });

  it('regression (hardening #7): fields[a]×5000 gets a 400 naming the parameter, not a stack overflow', () => {
    const key = `fields${'[a]'.repeat(5000)}`;
    const error = rejection(() => decodeBracketForm(`${key}=1`));
    expect(error).toBeInstanceOf(WireError);
    expect(error).toMatchObject({ status: 400, message: /fields\[a\]\[a\].*nests deeper than 32 levels/ });
  });
});

describe('checkDepth', () => {
  it('accepts nesting up to the cap and refuses deeper JSON without recursion', () => {
    const nest = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    expect(() => checkDepth(nest(32))).not.toThrow();
    expect(rejection(() => checkDepth(nest(100_000)))).toMatchObject({ status: 400 });
  });
});

describe('readBodyText', () => {
  /** A stream that would produce `total` bytes, counting how many it was asked for. */
  function endless(total: number) {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (sent >= total) return controller.close();
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    ); // pull only when read
    return { stream, sent: () => sent };
  }

  it('regression (hardening #6): refuses a body over the cap with 413 after reading just past the cap', async () => {
    const source = endless(700 * 1024 * 1024);
    await expect(readBodyText(source.stream, 1024 * 1024)).rejects.toMatchObject({ status: 413, code: 'REQUEST_ENTITY_TOO_LARGE' });
    expect(source.sent()).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses a declared content-length over the cap before reading anything', async () => {
    const source = endless(10);
    await expect(readBodyText(source.stream, 5, 50)).rejects.toMatchObject({ status: 413 });
    expect(source.sent()).toBe(0);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('Привет');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 3));
        controller.enqueue(bytes.slice(3));
        controller.close();
      },
    });
    expect(await readBodyText(stream, 100)).toBe('Привет');
  });
});
