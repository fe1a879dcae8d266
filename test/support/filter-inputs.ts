// Random list filters for the list engine's property test: every prefix on standard, multiple, custom,
// derived and unknown fields, with short and unicode text, LIKE patterns, values near the 2,000-character
// cap, numbers, booleans, null and lists (some past the 1,000-item cap).
import fc from 'fast-check';
import { FILTER_PREFIXES } from '../../src/sandbox/list-query.js';

const FIELDS = ['ID', 'TITLE', 'OPPORTUNITY', 'STATUS_ID', 'PHONE', 'EMAIL', 'UF_CRM_1', 'HAS_PHONE', 'DATE_CREATE', 'CONTACT_ID', 'NOPE'];

const likeText = fc.array(fc.constantFrom('%', '_', 'a', 'A', 'б', 'е', '.', '*', '1', ' '), { maxLength: 30 }).map((parts) => parts.join(''));
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 20 });
const nearCap = fc
  .tuple(fc.constantFrom('a', '%a', 'a_', '%', 'я', '1'), fc.integer({ min: 1_990, max: 2_010 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
const scalar = fc.oneof(
  likeText,
  unicodeText,
  nearCap,
  fc.integer({ min: -5, max: 12_000 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('0x1', '1e3', ' 7 ', '7.0', 'NEW'),
);
const listItem = fc.oneof(likeText, unicodeText, fc.integer({ min: -5, max: 12_000 }));
const list = fc.oneof(
  fc.array(listItem, { maxLength: 20 }),
  fc.integer({ min: 990, max: 1_010 }).map((count) => Array.from({ length: count }, (_, i) => `v${i}`)),
  nearCap.map((value) => [value]),
);

const key = fc.tuple(fc.constantFrom(...FILTER_PREFIXES, ''), fc.constantFrom(...FIELDS)).map(([prefix, field]) => `${prefix}${field}`);

/** A `crm.lead.list` request: one to four filter keys, each with a scalar or a list, and a start. */
export const randomListRequest = fc.record({
  filter: fc
    .array(fc.tuple(key, fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: list })), { minLength: 1, maxLength: 4 })
    .map(Object.fromEntries),
  start: fc.constantFrom(0, -1, 50),
});
