import { describe, expect, it } from 'vitest';
import { deref, isRecord, pointerKeys, resolvePointer } from '../../src/wire/json-pointer.js';

const document = {
  components: { schemas: { 'a/b': { type: 'string' }, 'c~d': { $ref: '#/components/schemas/a~1b' }, loop: { $ref: '#/components/schemas/loop' } } },
};

describe('isRecord', () => {
  it.each([
    [{}, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    ['x', false],
  ])('tells a JSON object (%o) from anything else', (value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });
});

describe('pointerKeys', () => {
  it('splits a local pointer and unescapes ~1 and ~0 in that order', () => {
    expect(pointerKeys('#/components/schemas/a~1b')).toEqual(['components', 'schemas', 'a/b']);
    expect(pointerKeys('#/x/~01')).toEqual(['x', '~1']);
  });

  it('answers undefined for a pointer into another document', () => {
    expect(pointerKeys('other.yaml#/components')).toBeUndefined();
  });
});

describe('resolvePointer', () => {
  it('follows a pointer to its node and stops at a missing or inherited key', () => {
    expect(resolvePointer(document, '#/components/schemas/a~1b')).toEqual({ type: 'string' });
    expect(resolvePointer(document, '#/components/nothing')).toBeUndefined();
    expect(resolvePointer(document, '#/components/toString')).toBeUndefined();
  });
});

describe('deref', () => {
  it('follows a chain of $refs and returns a node without one as it is', () => {
    expect(deref(document, { $ref: '#/components/schemas/c~0d' })).toEqual({ type: 'string' });
    expect(deref(document, { type: 'integer' })).toEqual({ type: 'integer' });
  });

  it('gives up on a $ref cycle instead of hanging', () => {
    expect(deref(document, { $ref: '#/components/schemas/loop' })).toEqual({ $ref: '#/components/schemas/loop' });
  });
});
