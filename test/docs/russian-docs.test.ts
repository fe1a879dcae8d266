// The Russian docs are the English contract with Russian words: Redocly's bundle with the overlay
// differs from the English bundle only in the translated strings, the words scripts/docs.mjs adds
// exist in every language, and the code samples stay the same code with their comments translated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOCS_STRINGS } from '../../scripts/docs-strings.mjs';
import { docsSpec, ruContractFiles } from '../../scripts/docs.mjs';
import { compareRussianBundle, differences, withoutProse } from '../../scripts/russian-bundle.mjs';
import { loadBundle } from '../../scripts/overlay.mjs';
import { builtSite } from '../support/docs-site.js';

const english = loadBundle();
const CYRILLIC = /\p{Script=Cyrillic}/u;

/** Every x-codeSamples entry of a docs-only copy, by method and tab position. */
const samplesOf = (docs: any) =>
  Object.entries<any>(docs.paths).flatMap(([path, item]) =>
    item.post['x-codeSamples'].map((sample: any, i: number) => ({ method: path.slice(1), i, ...sample })),
  );

describe('the Russian bundle (openapi.ru.yaml, openapi.ru.json)', () => {
  let siteDir: string;
  let russian: any;

  // The bundle the run's docs build wrote (scripts/docs.mjs bundleRussian, as `npm run docs` does).
  beforeAll(async () => {
    siteDir = (await builtSite()).dir;
    russian = JSON.parse(readFileSync(join(siteDir, ruContractFiles[1]!), 'utf8'));
  }, 120_000);

  // The same comparison `npm run docs` runs before it publishes (scripts/russian-bundle.mjs).
  it('is the English contract with only its human-readable strings changed, each one Russian', () => {
    expect(compareRussianBundle(english, russian)).toEqual([]);
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

describe('compareRussianBundle (what the docs build and this file hold the Russian bundle to)', () => {
  it('names a method the bundle lost, and an English string left in it', () => {
    const broken = structuredClone(english);
    broken.paths['/crm.lead.contact.add'] = {};
    const problems = compareRussianBundle(english, broken);
    expect(problems[0]).toMatch(/^the Russian bundle differs from the English beyond prose at \$\["paths"\]\["\/crm\.lead\.contact\.add"\]\["post"\]/);
    expect(problems.some((line) => line.startsWith('$.info.description in the Russian bundle: not Russian text'))).toBe(true);
  });

  it('lists at most 20 differences, by JSON path', () => {
    expect(differences({ a: 1, b: [1, 2] }, { a: 2, b: [1], c: 3 })).toEqual([
      '$["a"]: English 1, Russian 2',
      '$["b"][1]: English 2, Russian nothing',
      '$["c"]: English nothing, Russian 3',
    ]);
    expect(withoutProse({ info: { title: 'T' } })).toEqual({ info: { title: '…' } });
  });
});
