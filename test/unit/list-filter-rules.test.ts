// The list engine's pure rules (issue 22 #1 and #14): LIKE matching without backtracking, and
// numbers compared by their decimal text.
import { describe, expect, it } from 'vitest';
import { compareDecimal, decimalText } from '../../src/sandbox/decimal-text.js';
import { filterWork } from '../../src/sandbox/filter-work.js';
import { compileLike } from '../../src/sandbox/like-pattern.js';

/** Runs one LIKE test and returns whether it matched and the steps it took. */
function like(pattern: string, text: string) {
  const before = filterWork.steps;
  const matched = compileLike(pattern)(text);
  return { matched, steps: filterWork.steps - before };
}

describe('compileLike: % is any text, _ one character, the rest literal', () => {
  it.each([
    ['mol%', 'molly', true],
    ['mol%', 'ammol', false],
    ['%mol', 'ammol', true],
    ['%mol%', 'a mole', true],
    ['mol', 'mol', true],
    ['mol', 'mole', false],
    ['m_l', 'mol', true],
    ['m_l', 'ml', false],
    ['_%_', 'a', false],
    ['_%_', 'ab', true],
    ['%', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a%b%c', 'abc', true],
    ['a%b%c', 'acb', false],
    ['a%bc%c', 'abcc', true],
    ['a%b_d%e', 'abxbcde', true],
    ['%ab%ab', 'ab', false], // pieces may not overlap
    ['%aa', 'aaa', true],
    ['a.b*c', 'a.b*c', true], // regular-expression characters are literal
    ['a.b', 'axb', false],
    ['%_', '\n', true], // _ and % take line breaks too
    ['привет%', 'привет, мир', true],
  ])('%j against %j → %s', (pattern, text, expected) => {
    expect(like(pattern, text).matched).toBe(expected);
  });

  it.each([
    ['%a%a%a%a%a%a%a%a%a%b', 'a'.repeat(44)],
    ['%a%a%a%b', 'a'.repeat(60_000)],
    ['%a_a%a_a%b', 'a'.repeat(5_000)],
    [`%${'a'.repeat(50)}b%`, 'a'.repeat(5_000)],
  ])('regression (issue 22 #1): %j against %s characters of "a" takes at most text × pattern steps', (pattern, text) => {
    const { matched, steps } = like(pattern, text);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual((text.length + 1) * (pattern.length + 1));
  });

  it('without _ a piece is searched in steps linear in the text, and the count sees the search', () => {
    const { matched, steps } = like('%a%a%a%a%a%a%a%a%a%b%', 'a'.repeat(60_000));
    expect(matched).toBe(false);
    expect(steps).toBeGreaterThanOrEqual(60_000);
    expect(steps).toBeLessThanOrEqual(2 * 60_000);
  });
});

describe('decimalText and compareDecimal: ids and amounts as a portal reads them', () => {
  it.each([
    [1, '1'],
    ['1', '1'],
    [' 0042 ', '42'],
    ['12500.00', '12500'],
    ['-0.50', '-0.5'],
    ['-0', '0'],
    [0.25, '0.25'],
    ['0x1', undefined],
    ['1e3', undefined],
    [true, undefined],
    ['', undefined],
    ['1.', undefined],
    [Number.NaN, undefined],
    [null, undefined],
  ])('%j → %j', (value, expected) => {
    expect(decimalText(value)).toBe(expected);
  });

  it.each([
    ['2', '10', -1],
    ['10', '10', 0],
    ['-3', '2', -1],
    ['-3', '-20', 1],
    ['1.5', '1.25', 1],
    ['99999999999999999999', '99999999999999999998', 1], // past 2^53: no rounding
  ])('%s against %s → %i', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
    expect(compareDecimal(b, a)).toBe(-expected || 0);
  });
});
