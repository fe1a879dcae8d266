#!/usr/bin/env node
// Fails when generated/ differs from a fresh run of scripts/generate.mjs, i.e. someone changed the
// contract without regenerating, or edited a generated file by hand.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'generated');
const fresh = mkdtempSync(join(tmpdir(), 'b24-generated-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts', 'generate.mjs'), '--out', fresh], { stdio: 'inherit' });
  const names = new Set([...readdirSync(committed), ...readdirSync(fresh)]);
  const stale = [...names].filter((name) => {
    try {
      return readFileSync(join(committed, name), 'utf8') !== readFileSync(join(fresh, name), 'utf8');
    } catch {
      return true; // present on one side only
    }
  });
  if (stale.length > 0) {
    console.error(`generated/ is out of date: ${stale.join(', ')}. Run \`npm run generate\` and commit the result.`);
    process.exit(1);
  }
  console.log(`generated/ is up to date (${names.size} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
