// CHANGELOG.md follows Keep a Changelog, and the release workflow takes a version's notes from it
// (scripts/release-notes.mjs). These tests hold the file to that shape and the notes to their section.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { releaseNotes } from '../../scripts/release-notes.mjs';

const changelog = readFileSync(new URL('../../CHANGELOG.md', import.meta.url), 'utf8');
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const script = fileURLToPath(new URL('../../scripts/release-notes.mjs', import.meta.url));

const sample = `# Changelog

## [Unreleased]

### Fixed

- Something not yet released.

## [1.1.0] - 2026-02-01

### Added

- A feature.

## [1.0.0] - 2026-01-01

- First release.

[Unreleased]: https://example.com/compare/v1.1.0...HEAD
[1.1.0]: https://example.com/compare/v1.0.0...v1.1.0
`;

describe('CHANGELOG.md', () => {
  it('has an Unreleased section first, for changes not yet released', () => {
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    expect(changelog.indexOf('## [Unreleased]')).toBeLessThan(changelog.search(/^## \[\d/m));
  });

  it(`has a dated, non-empty entry for the version in package.json (${version})`, () => {
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
    expect(releaseNotes(changelog, version)).not.toBeNull();
  });

  it('defines a link for every version heading', () => {
    for (const [, name] of changelog.matchAll(/^## \[([^\]]+)\]/gm))
      expect(changelog, name).toMatch(new RegExp(`^\\[${name!.replace(/\./g, '\\.')}\\]: https://`, 'm'));
  });
});

describe('release notes from the changelog (scripts/release-notes.mjs)', () => {
  it('are the body of the version’s section, without its heading, the next section or the links', () => {
    expect(releaseNotes(sample, '1.1.0')).toBe('### Added\n\n- A feature.\n');
    expect(releaseNotes(sample, '1.0.0')).toBe('- First release.\n');
  });

  it('are null for a version the changelog does not list', () => {
    expect(releaseNotes(sample, '2.0.0')).toBeNull();
    expect(releaseNotes(sample, '1.1')).toBeNull();
  });

  it('print for the current version from the command line, and fail naming a missing version', () => {
    expect(execFileSync(process.execPath, [script, `v${version}`], { encoding: 'utf8' })).toBe(releaseNotes(changelog, version));
    try {
      execFileSync(process.execPath, [script, '99.0.0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect.unreachable('a missing version must fail');
    } catch (error: any) {
      expect(error.status).toBe(1);
      expect(error.stderr).toContain('CHANGELOG.md has no entry for 99.0.0');
    }
  });
});
