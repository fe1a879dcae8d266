// The Russian docs are the English contract with Russian words: Redocly's bundle with the overlay
// differs from the English bundle only in the translated strings, the words scripts/docs.mjs adds
// exist in every language, and the code samples stay the same code with their comments translated.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_STRINGS } from '../../scripts/docs-strings.mjs';
import { bundleRussian, docsSpec, ruContractFiles } from '../../scripts/docs.mjs';
import { loadBundle, proseStrings } from '../../scripts/overlay.mjs';

const english = loadBundle();
const CYRILLIC = /\p{Script=Cyrillic}/u;

/** A copy of a contract with every human-readable string blanked, to compare what is left. */
function withoutProse(spec: any) {
  const copy = structuredClone(spec);
  for (const { node, key } of proseStrings(copy)) (node as Record<string, unknown>)[key] = '…';
  return copy;
}

/** Every x-codeSamples entry of a docs-only copy, by method and tab position. */
const samplesOf = (docs: any) =>
  Object.entries<any>(docs.paths).flatMap(([path, item]) =>
    item.post['x-codeSamples'].map((sample: any, i: number) => ({ method: path.slice(1), i, ...sample })),
  );

describe('the Russian bundle (openapi.ru.yaml, openapi.ru.json)', () => {
  let siteDir: string;
  let russian: any;

  beforeAll(() => {
    siteDir = mkdtempSync(join(tmpdir(), 'b24-ru-bundle-'));
    russian = bundleRussian(siteDir);
  }, 60_000);
  afterAll(() => rmSync(siteDir, { recursive: true, force: true }));

  it('is the English contract with only its human-readable strings changed', () => {
    expect(withoutProse(russian)).toEqual(withoutProse(english));
  });

  it('has Russian text in every human-readable string', () => {
    const english = proseStrings(russian).filter((s) => !CYRILLIC.test(s.text));
    expect(english.map((s) => `${s.target}.${s.key}: ${s.text}`)).toEqual([]);
  });

  it('writes the same contract as YAML and as JSON', async () => {
    const YAML = (await import('yaml')).default;
    const [yamlName, jsonName] = ruContractFiles as [string, string];
    expect(YAML.parse(readFileSync(join(siteDir, yamlName), 'utf8'))).toEqual(JSON.parse(readFileSync(join(siteDir, jsonName), 'utf8')));
  });

  it('keeps code, field names and error codes untranslated in the method overview and samples', () => {
    const ruDocs = docsSpec(russian, DOCS_STRINGS.ru);
    for (const name of Object.keys(english.paths)) expect(ruDocs.info.description).toContain(`| \`${name.slice(1)}\` |`);
    for (const code of ['NOT_FOUND', 'ACCESS_DENIED', 'QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT']) expect(ruDocs.info.description).toContain(`\`${code}\``);
  });

  it('gives the Russian samples the same code as the English ones, with the comments in Russian', () => {
    const en = samplesOf(docsSpec(english, DOCS_STRINGS.en));
    const ru = samplesOf(docsSpec(russian, DOCS_STRINGS.ru));
    expect(ru.length).toBe(en.length);
    const code = (source: string) => source.split('\n').filter((line) => !line.trimStart().startsWith('//'));
    const comments = (source: string) => source.split('\n').filter((line) => line.trimStart().startsWith('//'));
    en.forEach((sample, n) => {
      const other = ru[n]!;
      expect(code(other.source), `${sample.method} ${sample.label}`).toEqual(code(sample.source));
      for (const comment of comments(other.source)) expect(comment, `${sample.method} ${other.label}`).toMatch(CYRILLIC);
    });
    expect(ru.some((sample) => comments(sample.source).length > 0)).toBe(true);
  });
});

describe('the words scripts/docs.mjs adds to a page', () => {
  it('exist in every language, under the same names', () => {
    const keys = Object.keys(DOCS_STRINGS.en).sort();
    for (const [lang, strings] of Object.entries(DOCS_STRINGS)) {
      expect(Object.keys(strings).sort(), lang).toEqual(keys);
      for (const [key, value] of Object.entries(strings)) expect(value, `${lang}.${key}`).not.toBe('');
    }
  });

  it('are Russian on the Russian page where they are words', () => {
    const { lang, switchLang, oauthLabel, ...words } = DOCS_STRINGS.ru;
    expect([lang, switchLang, oauthLabel]).toEqual(['ru', 'en', 'cURL (OAuth)']);
    for (const [key, value] of Object.entries(words)) if (key !== 'switchLabel') expect(value, key).toMatch(CYRILLIC);
    expect(DOCS_STRINGS.ru.switchLabel).toBe('English version');
  });
});
