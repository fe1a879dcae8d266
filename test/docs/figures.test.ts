// The figures the guides quote (budgets, counts of files, method lists) held to the one place each
// comes from, so a change that moves one fails until the guide follows. One row per quoted figure;
// what `verify --write` creates is held in test/verify/verify.test.ts, where the run is.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { methodHandlers } from '../../src/sandbox/methods.js';
import { expandMethods, numberWord, quoted } from '../support/guide-figures.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const docsWorkflow = YAML.parse(readFileSync(new URL('../../.github/workflows/docs.yml', import.meta.url), 'utf8'));

/** The files the docs workflow puts on GitHub Pages, as paths inside the site. */
function publishedFiles(): string[] {
  const collect = docsWorkflow.jobs.build.steps.find((step: { name?: string }) => step.name === 'Collect the site').run as string;
  return [...collect.matchAll(/^cp ((?:\S+ )+)(site\/\S*)$/gm)].flatMap(([, sources, target]) =>
    sources!
      .trim()
      .split(' ')
      .map((source) => `${target!.replace(/^site\/?/, '')}${basename(source)}`),
  );
}

/** The record methods the sandbox answers: all it serves but the link methods and `batch`. */
const sandboxRecordMethods = Object.keys(methodHandlers)
  .filter((method) => !method.startsWith('crm.lead.contact.') && method !== 'batch')
  .sort();

const FIGURES: Array<{ guide: string; figure: string; quoted: () => unknown; truth: () => unknown }> = [
  {
    guide: 'docs/batch.md',
    figure: 'the size-limit budgets (package.json)',
    quoted: () => [quoted('docs/batch.md', /browser app under (\d[\d.]* Ki?B) gzip/), quoted('docs/batch.md', /with `batch` under (\d[\d.]* KB)/)],
    truth: () => pkg['size-limit'].filter((entry: { path?: string }) => entry.path === 'dist/lib/src/index.js').map((entry: { limit: string }) => entry.limit),
  },
  {
    guide: 'docs/frame.md',
    figure: 'the in-portal app budget (package.json)',
    quoted: () => quoted('docs/frame.md', /the budget is (\d[\d.]* KB)/),
    truth: () => pkg['size-limit'].find((entry: { name: string }) => entry.name.startsWith('in-portal app')).limit,
  },
  {
    guide: 'docs/tooling.md',
    figure: 'how many files the docs workflow publishes',
    quoted: () => quoted('docs/tooling.md', /the docs workflow publishes (\w+) files on GitHub Pages/),
    truth: () => numberWord(publishedFiles().length),
  },
  {
    guide: 'docs/tooling.md',
    figure: 'which files the docs workflow publishes',
    quoted: () => [...quoted('docs/tooling.md', /publishes \w+ files on GitHub Pages \(([^)]*)\)/).matchAll(/`([^`]+)`/g)].map(([, file]) => file).sort(),
    truth: () => publishedFiles().sort(),
  },
  ...['README.md', 'docs/sandbox.md'].map((guide) => ({
    guide,
    figure: 'the record methods the sandbox answers',
    quoted: () => expandMethods(quoted(guide, /the lead and contact records they link \(([^)]*)\)/)).sort(),
    truth: () => sandboxRecordMethods,
  })),
];

describe('the figures a guide quotes', () => {
  it.each(FIGURES)('$guide quotes $figure as the code has it', ({ quoted, truth }) => {
    expect(quoted()).toEqual(truth());
  });
});

describe('the shape of the guides', () => {
  const guides = execFileSync('git', ['ls-files', '*.md'], { encoding: 'utf8', cwd: new URL('../..', import.meta.url) })
    .split('\n')
    .filter(Boolean);

  it.each(guides)('%s has no double blank line and no paragraph printed twice in a row', (guide) => {
    const text = readFileSync(new URL(`../../${guide}`, import.meta.url), 'utf8');
    expect(text).not.toMatch(/\n\n\n/);
    const paragraphs = text.split('\n\n');
    expect(paragraphs.filter((paragraph, i) => paragraph.trim() !== '' && paragraph === paragraphs[i + 1])).toEqual([]);
  });
});
