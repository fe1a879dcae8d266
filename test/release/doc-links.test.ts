// Every relative link in the documents a reader moves between lands on a file of the repository, and a
// link with `#anchor` on a heading of that file, by GitHub's slug rules.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { githubSlug, headingAnchors, relativeLinks } from '../support/markdown-links.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCUMENTS = [
  'README.md',
  'README.ru.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  'openapi/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** What is wrong with one link of `from`, or undefined when it lands. */
function brokenLink(from: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(ROOT, from) : resolve(dirname(join(ROOT, from)), decodeURIComponent(path));
  if (!file.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  const anchors = headingAnchors(readFileSync(file, 'utf8'));
  return anchors.has(anchor) ? undefined : `${relative(ROOT, file)} has no heading with the anchor #${anchor}`;
}

describe('githubSlug', () => {
  it.each([
    ['Limits, retries, refresh and security', 'limits-retries-refresh-and-security'],
    ['Over HTTP: `startSandbox`', 'over-http-startsandbox'],
    ['1. The client in your code', '1-the-client-in-your-code'],
    ['What the sandbox does not emulate', 'what-the-sandbox-does-not-emulate'],
    ['openapi/ — the contract', 'openapi--the-contract'],
    ['Scripts, the mock, the docs page and CI', 'scripts-the-mock-the-docs-page-and-ci'],
    ['snake_case and **bold**', 'snake_case-and-bold'],
    ['A [link](https://example.com) inside', 'a-link-inside'],
    ['Привет, мир', 'привет-мир'],
  ])('%j → %j', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});

describe('headingAnchors and relativeLinks', () => {
  it('numbers repeated headings and ignores headings and links inside code blocks and inline code', () => {
    const markdown = [
      '# Title',
      '## Notes',
      '## Notes',
      '```sh',
      '# not a heading',
      '[x](nowhere.md)',
      '```',
      'See `[y](nowhere.md)` and [z](a.md#notes-1) or [w](https://x.y).',
    ].join('\n');
    expect([...headingAnchors(markdown)]).toEqual(['title', 'notes', 'notes-1']);
    expect(relativeLinks(markdown)).toEqual(['a.md#notes-1']);
  });
});

describe('links between the documents', () => {
  it('finds the documents and the links to check', () => {
    expect(DOCUMENTS).toEqual(expect.arrayContaining(['README.md', 'docs/client.md', 'docs/sandbox.md']));
    expect(relativeLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
  });

  it.each(DOCUMENTS)('every relative link and anchor in %s lands', (document) => {
    const broken = relativeLinks(readFileSync(join(ROOT, document), 'utf8')).flatMap((target) => {
      const problem = brokenLink(document, target);
      return problem ? [`${target}: ${problem}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('keeps the README short enough to read in five minutes (under 300 lines)', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(300);
  });
});
