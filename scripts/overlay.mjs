#!/usr/bin/env node
// The Russian layer of the contract: openapi/overlays/ru.yaml, an OpenAPI Overlay 1.0 document whose
// actions each give the Russian text of the human-readable strings (summary, description, title) of
// one node of the bundled contract. Redocly CLI applies it (`redocly bundle --overlay`, scripts/docs.mjs);
// this module only checks it, with the RFC 9535 JSONPath implementation Redocly itself bundles
// (jsonpath-rfc9535), so a target means here what it means when applied.
//
// Each action records, in `x-source-hash`, a short SHA-256 of the English text each of its strings
// was written from. `checkOverlay` reports:
//   unmatched — an action whose target selects nothing, or a node without the English string it translates;
//   missing   — an English string of the contract that no action translates;
//   stale     — an English string that changed since its Russian text was written (hash differs);
//   invalid   — an action that is not a plain translation: a key other than target, description,
//               update and x-* (Redocly also honours `remove`, `copy`, `$ref`), a YAML merge key `<<`
//               anywhere in the file (Redocly reads it with js-yaml, which merges it), a non-prose
//               update key, or text that is not a Russian translation of its English (see isRussianFor).
//
// `npm run overlay:status` prints that report, with ready-to-paste actions for missing strings.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { query } from 'jsonpath-rfc9535';
import YAML from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const overlayFiles = { ru: join(root, 'openapi', 'overlays', 'ru.yaml') };
const bundleFile = join(root, 'generated', 'openapi.bundle.json');

/** The keys whose string values a reader reads as prose. */
export const PROSE_KEYS = ['summary', 'description', 'title'];
/**
 * A tag's name is an identifier (operations refer to it) but also the heading a reader sees, so
 * its translation goes into `x-displayName`, the tag heading Redoc and scripts/docs.mjs show.
 */
const DISPLAY_NAME = 'x-displayName';
export const TRANSLATED_KEYS = [...PROSE_KEYS, DISPLAY_NAME];
/** The English text an entry translates: a prose key's own value, or a tag's display name. */
const englishOf = (node, key) => (key === DISPLAY_NAME ? (node?.[DISPLAY_NAME] ?? node?.name) : node?.[key]);
/** Maps whose keys are names chosen by the contract (a property called `title` is not prose). */
const NAME_MAPS = new Set([
  'paths',
  'webhooks',
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'schemas',
  'responses',
  'parameters',
  'examples',
  'requestBodies',
  'headers',
  'securitySchemes',
  'links',
  'callbacks',
  'pathItems',
  'content',
  'variables',
  'mapping',
  'encoding',
]);
/** Keywords whose values are data (what an API sends), not prose about it. */
const DATA_KEYWORDS = new Set(['value', 'example', 'default', 'const', 'enum', 'externalValue']);
/** The keys an action may hold: Overlay 1.0's `target`, `description` and `update`, and extensions. */
const ACTION_KEYS = new Set(['target', 'description', 'update']);
const MERGE_KEY = '<<';

/**
 * How long a translation must be at least: half its English, less 3 characters. Russian runs
 * 0.6–1.3 times the English in this overlay; the shortest ratios are short labels ("Имя." for
 * "First name.", 0.36), which the slack lets through, while a one-letter text for a sentence fails.
 */
export const minimumRussianLength = (english) => Math.ceil(english.length / 2 - 3);

/**
 * The letters of a text a reader reads as words: code blocks, code spans, link targets, URLs and
 * identifiers (`crm.lead.add`, `CONTACT_ID`, `EMAIL`) are left out, since they stay English in
 * every language.
 */
export function proseLetters(text) {
  const prose = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, '] ')
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/[\p{L}\p{N}*]*(?:[._][\p{L}\p{N}*]+)+/gu, ' ')
    .replace(/\b[A-Z][A-Z0-9]+\b/g, ' ');
  return { cyrillic: prose.match(/\p{Script=Cyrillic}/gu)?.length ?? 0, latin: prose.match(/\p{Script=Latin}/gu)?.length ?? 0 };
}

/**
 * Why `russian` is not a translation of `english`, or `undefined` when it is one: its words must be
 * mostly Russian (more Cyrillic than Latin letters outside code) and it must be at least
 * {@link minimumRussianLength} long.
 */
export function notRussianFor(russian, english) {
  if (typeof russian !== 'string') return 'not text';
  const { cyrillic, latin } = proseLetters(russian);
  if (cyrillic <= latin) return `not Russian text (${cyrillic} Cyrillic and ${latin} Latin letters outside code; Cyrillic must be the majority)`;
  if (typeof english === 'string' && russian.length < minimumRussianLength(english)) {
    return `too short to translate its English (${russian.length} characters for ${english.length}; at least ${minimumRussianLength(english)})`;
  }
  return undefined;
}

/** JSON paths in a parsed YAML document where a key `<<` sits (YAML 1.2 keeps it as a key; js-yaml merges it). */
function mergeKeysIn(node, path = '$', found = []) {
  if (node === null || typeof node !== 'object') return found;
  for (const [key, value] of Object.entries(node)) {
    const at = Array.isArray(node) ? `${path}[${key}]` : `${path}[${JSON.stringify(key)}]`;
    if (!Array.isArray(node) && key === MERGE_KEY) found.push(at);
    mergeKeysIn(value, at, found);
  }
  return found;
}

/** The short hash an action records of the English text it was written from. */
export const sourceHash = (text) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * A JSONPath (RFC 9535) that selects one node: names as `.name` or `['name']`, array members by
 * their `name` field where they have one (tags), by position otherwise.
 */
export function targetOf(steps) {
  return steps
    .map(({ key, node }) => {
      if (typeof key === 'number') return typeof node?.name === 'string' ? `[?@.name==${quote(node.name)}]` : `[${key}]`;
      return IDENTIFIER.test(key) ? `.${key}` : `[${quote(key)}]`;
    })
    .reduce((path, step) => path + step, '$');
}

/**
 * Every human-readable string of a contract: the node holding it, the JSONPath of that node, the
 * key and the text. Example values, defaults and other data are skipped, and so are names.
 */
export function proseStrings(spec) {
  /** @type {{ node: object, target: string, key: string, text: string }[]} */
  const found = [];
  const visit = (node, steps, inNameMap) => {
    if (Array.isArray(node)) {
      node.forEach((item, key) => visit(item, [...steps, { key, node: item }], false));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (steps.length === 2 && steps[0].key === 'tags' && typeof node.name === 'string') {
      found.push({ node, target: targetOf(steps), key: DISPLAY_NAME, text: englishOf(node, DISPLAY_NAME) });
    }
    for (const [key, value] of Object.entries(node)) {
      if (!inNameMap && PROSE_KEYS.includes(key) && typeof value === 'string') {
        found.push({ node, target: targetOf(steps), key, text: value });
        continue;
      }
      if (!inNameMap && DATA_KEYWORDS.has(key)) continue;
      // `examples` is a name map of Example Objects in OpenAPI, and a list of data in JSON Schema.
      if (!inNameMap && key === 'examples' && Array.isArray(value)) continue;
      visit(value, [...steps, { key, node: value }], !inNameMap && NAME_MAPS.has(key));
    }
  };
  visit(spec, [], false);
  return found;
}

/** What is wrong with a translation overlay for a contract; every list empty when it is complete and fresh. */
export function checkOverlay(spec, overlay) {
  /** @type {import('./overlay.d.mts').OverlayReport} */
  const report = { unmatched: [], missing: [], stale: [], invalid: [] };
  const covered = new Map(); // node -> keys translated
  if (overlay?.overlay !== '1.0.0') report.invalid.push({ index: -1, target: '', reason: `overlay version must be 1.0.0, got ${overlay?.overlay}` });
  for (const at of mergeKeysIn(overlay)) {
    report.invalid.push({
      index: -1,
      target: '',
      reason: `${at}: a YAML merge key (<<) is refused: Redocly merges it into the node and so may add remove or copy`,
    });
  }
  (overlay?.actions ?? []).forEach((action, index) => {
    const { target, update } = action ?? {};
    const hashes = action?.['x-source-hash'] ?? {};
    const fail = (reason) => report.invalid.push({ index, target, reason });
    for (const key of Object.keys(action ?? {})) {
      if (!ACTION_KEYS.has(key) && !key.startsWith('x-') && key !== MERGE_KEY) {
        fail(`${key}: an action only translates (target, description, update, x-*); ${key} would change the contract`);
      }
    }
    if (typeof target !== 'string') return fail('target must be a JSONPath string');
    if (update === null || typeof update !== 'object' || Array.isArray(update)) return fail('update must be an object of Russian strings');
    let nodes;
    try {
      nodes = query(spec, target);
    } catch (error) {
      return fail(`target is not valid RFC 9535 JSONPath: ${error.message}`);
    }
    if (nodes.length === 0) {
      report.unmatched.push({ index, target, key: null });
      return;
    }
    for (const [key, russian] of Object.entries(update)) {
      const translated = TRANSLATED_KEYS.includes(key);
      if (!translated) fail(`update.${key}: only ${TRANSLATED_KEYS.join(', ')} are translated`);
      else if (typeof russian !== 'string') fail(`update.${key}: not text`);
      let judged = !translated || typeof russian !== 'string';
      for (const node of nodes) {
        const english = englishOf(node, key);
        if (typeof english !== 'string') {
          report.unmatched.push({ index, target, key });
          continue;
        }
        const wrong = judged ? undefined : notRussianFor(russian, english);
        judged = true;
        if (wrong) fail(`update.${key}: ${wrong}`);
        if (!covered.has(node)) covered.set(node, new Set());
        covered.get(node).add(key);
        const hash = sourceHash(english);
        if (hashes[key] !== hash) report.stale.push({ index, target, key, english, recorded: hashes[key] ?? null, hash });
      }
    }
  });
  for (const { node, target, key, text } of proseStrings(spec)) {
    if (!covered.get(node)?.has(key)) report.missing.push({ target, key, english: text, hash: sourceHash(text) });
  }
  return report;
}

/** The JSONPath of one string: its node's path and its key. */
const stringPath = (target, key) => target + (IDENTIFIER.test(key) ? `.${key}` : `[${quote(key)}]`);

/** One line per problem, naming the JSON path, the key and the English text to revisit. */
export function describeReport(report, overlayName = 'openapi/overlays/ru.yaml') {
  const english = (text) => JSON.stringify(text.length > 160 ? `${text.slice(0, 157)}...` : text);
  return [
    ...report.invalid.map((p) => `${overlayName} action #${p.index} (${p.target}): ${p.reason}`),
    ...report.unmatched.map((p) =>
      p.key === null
        ? `${overlayName} action #${p.index}: target ${p.target} matches nothing in the contract`
        : `${overlayName} action #${p.index}: ${p.target} has no English ${p.key} to translate`,
    ),
    ...report.missing.map((p) => `no Russian text for ${stringPath(p.target, p.key)} (English ${english(p.english)}, hash ${p.hash})`),
    ...report.stale.map(
      (p) =>
        `English text changed since the Russian was written: ${stringPath(p.target, p.key)} (now ${english(p.english)}, hash ${p.hash}, recorded ${p.recorded})`,
    ),
  ];
}

export const loadOverlay = (file = overlayFiles.ru) => YAML.parse(readFileSync(file, 'utf8'));
export const loadBundle = () => JSON.parse(readFileSync(bundleFile, 'utf8'));

/** YAML for new actions, one per node, to paste into the overlay and fill in. */
export function actionStubs(missing) {
  const byTarget = new Map();
  for (const entry of missing) {
    if (!byTarget.has(entry.target)) byTarget.set(entry.target, []);
    byTarget.get(entry.target).push(entry);
  }
  const lines = [];
  for (const [target, entries] of byTarget) {
    for (const { key, english } of entries) lines.push(...english.split('\n').map((line, i) => `  # ${i === 0 ? `${key}: ` : '  '}${line}`.trimEnd()));
    lines.push(`  - target: ${JSON.stringify(target)}`, '    x-source-hash:');
    for (const { key, hash } of entries) lines.push(`      ${key}: ${hash}`);
    lines.push('    update:');
    for (const { key } of entries) lines.push(`      ${key}: ''`);
  }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = relative(root, overlayFiles.ru);
  const report = checkOverlay(loadBundle(), loadOverlay());
  const problems = describeReport(report, name);
  if (problems.length === 0) {
    console.log(`${name}: every English string of the contract has its Russian text, written from the current English.`);
  } else {
    console.log(problems.join('\n'));
    if (report.stale.length) {
      console.log('\nStale: rewrite the Russian text from the English above, then set its x-source-hash to the hash shown.');
    }
    if (report.missing.length) console.log(`\nActions to add to ${name} (fill in the Russian text):\n\n${actionStubs(report.missing)}`);
    process.exitCode = 1;
  }
}
