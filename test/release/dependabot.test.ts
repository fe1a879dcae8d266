// Dependabot must not propose the upgrades package.json deliberately pins: an exact version gets no
// updates at all, a `~` range no minor or major ones, and the packages held to one major none across it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const config = YAML.parse(readFileSync(new URL('../../.github/dependabot.yml', import.meta.url), 'utf8'));
/** Packages held to their major although their range is a caret (the team's pins). */
const HELD_TO_MAJOR = ['msw', 'msw3'];

type Ignore = { 'dependency-name': string; 'update-types'?: string[] };
const npm = config.updates.find((update: any) => update['package-ecosystem'] === 'npm');
const ignored = (name: string): Ignore | undefined => npm?.ignore?.find((entry: Ignore) => entry['dependency-name'] === name);
// An alias (`"typescript7": "npm:typescript@~7.0.2"`) is held by its range like any other package.
const ranges: [string, string][] = Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.overrides }).map(([name, range]) => [
  name,
  range.replace(/^npm:@?[^@]+@/, ''),
]);

describe('Dependabot configuration', () => {
  it('updates npm packages and GitHub Actions', () => {
    expect(config.updates.map((update: any) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
  });

  it('proposes no update of an exactly pinned package (Prism and its overrides)', () => {
    const exact = ranges.filter(([, range]) => /^\d+\.\d+\.\d+$/.test(range));
    expect(exact.map(([name]) => name)).toContain('@stoplight/prism-cli');
    for (const [name] of exact) {
      expect(ignored(name), name).toBeDefined();
      expect(ignored(name)!['update-types'], `${name}: every update type`).toBeUndefined();
    }
  });

  it('proposes no minor or major update of a package pinned with ~', () => {
    for (const [name] of ranges.filter(([, range]) => range.startsWith('~'))) {
      expect(ignored(name)?.['update-types'], name).toEqual(expect.arrayContaining(['version-update:semver-minor', 'version-update:semver-major']));
    }
  });

  it('proposes no major update of the packages held to their major', () => {
    for (const name of HELD_TO_MAJOR) expect(ignored(name)?.['update-types'], name).toContain('version-update:semver-major');
  });
});
