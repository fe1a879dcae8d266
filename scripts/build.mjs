#!/usr/bin/env node
// Compiles the runtime (src/ and generated/*.ts) to dist/lib and copies the generated JavaScript and
// declaration files beside it, since tsc emits only what it compiles from .ts files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'lib');
rmSync(out, { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// The Node-only entries (sandbox HTTP server, CLI) compile with Node's types, into the same tree.
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build-node.json')], { stdio: 'inherit' });
mkdirSync(join(out, 'generated'), { recursive: true });
for (const file of ['schema.d.ts', 'validators.js', 'validators.d.ts']) copyFileSync(join(root, 'generated', file), join(out, 'generated', file));
