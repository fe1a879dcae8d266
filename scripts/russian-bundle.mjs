// The Russian bundle compared with the English one: the one comparison both the docs build
// (scripts/docs.mjs, so a broken overlay never publishes) and test/docs/russian-docs.test.ts run.
// Redocly applies more than the overlay check reads (a `remove`, a merged key), so the bundle it
// writes is held to the English: the same contract once every human-readable string is blanked, and
// every such string a Russian translation.
import { notRussianFor, proseStrings } from './overlay.mjs';

/** A copy of a contract with every human-readable string blanked, to compare what is left. */
export function withoutProse(spec) {
  const copy = structuredClone(spec);
  for (const { node, key } of proseStrings(copy)) /** @type {Record<string, unknown>} */ (node)[key] = '…';
  return copy;
}

/** JSON paths where two JSON values differ, at most `limit` of them. */
export function differences(a, b, path = '$', found = [], limit = 20) {
  if (found.length >= limit) return found;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`${path}: English ${short(a)}, Russian ${short(b)}`);
    return found;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) differences(a[key], b[key], Array.isArray(a) ? `${path}[${key}]` : `${path}[${JSON.stringify(key)}]`, found, limit);
  return found;
}

const short = (value) => {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * What is wrong with the Russian bundle, one line each; empty when it is the English contract with
 * only its human-readable strings translated.
 */
export function compareRussianBundle(english, russian) {
  const structure = differences(withoutProse(english), withoutProse(russian)).map(
    (line) => `the Russian bundle differs from the English beyond prose at ${line}`,
  );
  const englishText = new Map(proseStrings(english).map((s) => [`${s.target} ${s.key}`, s.text]));
  const untranslated = proseStrings(russian).flatMap((s) => {
    const wrong = notRussianFor(s.text, englishText.get(`${s.target} ${s.key}`));
    return wrong ? [`${s.target}.${s.key} in the Russian bundle: ${wrong}: ${short(s.text)}`] : [];
  });
  return [...structure, ...untranslated];
}
