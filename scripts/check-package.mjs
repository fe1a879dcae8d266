#!/usr/bin/env node
// Lints the package as npm would publish it: packs the current build once (run `npm run build` first;
// `npm test` does) and runs publint --strict and attw with the esm-only profile on that tarball.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// attw checks JavaScript entry points; these export a document, not a module.
const NOT_JAVASCRIPT = ['./openapi.yaml', './openapi.json', './package.json'];

if (!existsSync(join(root, 'dist', 'lib', 'src', 'index.js'))) {
  console.error('dist/lib is missing: run `npm run build` first.');
  process.exit(1);
}
const bin = (name) => join(root, 'node_modules', '.bin', name);
const out = mkdtempSync(join(tmpdir(), 'b24-pack-'));
try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: root, encoding: 'utf8' }));
  const tarball = join(out, packed.filename);
  console.log(`Packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes.`);
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('attw'), [tarball, '--profile', 'esm-only', '--exclude-entrypoints', ...NOT_JAVASCRIPT, '--no-emoji', '--no-color'], {
    cwd: root,
    stdio: 'inherit',
  });
} catch (error) {
  if (error.status === undefined) throw error;
  process.exit(1); // publint or attw has printed why
} finally {
  rmSync(out, { recursive: true, force: true });
}
