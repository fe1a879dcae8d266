#!/usr/bin/env node
// Prints the CHANGELOG.md section of one version, for the notes of its GitHub release.
//   node scripts/release-notes.mjs 1.2.3
// Exits 1, naming the version, when the changelog has no section for it or the section is empty:
// the release workflow runs this before publishing, so a version is never released undocumented.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A second-level heading of Keep a Changelog: `## [1.2.3] - 2026-01-31` or `## [Unreleased]`. */
const SECTION = /^## \[([^\]]+)\]/;

/** The body of the section `## [version]` (without its heading and the link definitions), or null. */
export function releaseNotes(changelog, version) {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((line) => SECTION.exec(line)?.[1] === version);
  if (start === -1) return null;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => SECTION.test(line) || /^\[[^\]]+\]:\s/.test(line));
  const body = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim();
  return body === '' ? null : `${body}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const version = process.argv[2]?.replace(/^v/, '');
  if (!version) {
    console.error('Usage: node scripts/release-notes.mjs <version>');
    process.exit(2);
  }
  const notes = releaseNotes(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  if (notes === null) {
    console.error(`CHANGELOG.md has no entry for ${version}: add a "## [${version}] - YYYY-MM-DD" section (see CONTRIBUTING.md).`);
    process.exit(1);
  }
  process.stdout.write(notes);
}
