// Text arbitraries over all of Unicode that cost nothing to build. fast-check's own `unit: 'binary'`,
// `webSegment()` and `webPath()` build a table of every code point the first time a file asks for one
// (about 1.2 s of a test file's start); these map an integer instead and reach the same values.
import fc from 'fast-check';

/** Lone surrogates (U+D800–U+DFFF) cannot travel as UTF-8, so no request carries them. */
const SURROGATES = 0xdfff - 0xd800 + 1;

/** Any Unicode scalar value, as a one-character string. */
export const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff - SURROGATES }).map((n) => String.fromCodePoint(n < 0xd800 ? n : n + SURROGATES));

/** Text of any scalar values (what `fc.string({ unit: 'binary' })` gives). */
export const anyText = (constraints: { maxLength?: number } = {}) => fc.string({ unit: anyCodePoint, ...constraints });

/** A URL path: segments of path characters, percent escapes (valid or not) and raw non-ASCII text. */
export const pathLike = fc
  .array(
    fc.string({
      unit: fc.oneof(fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@"), fc.constantFrom('%20', '%2F', '%C3%A9', '%ZZ', '%'), anyCodePoint),
      maxLength: 8,
    }),
    { maxLength: 4 },
  )
  .map((segments) => `/${segments.join('/')}`);
