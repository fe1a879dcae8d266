#!/usr/bin/env node
// Compiles the runtime (src/ and generated/*.ts) to dist/lib and copies the generated declaration
// file beside it, since tsc emits declarations for .ts files only.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'lib');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
mkdirSync(join(out, 'generated'), { recursive: true });
copyFileSync(join(root, 'generated', 'schema.d.ts'), join(out, 'generated', 'schema.d.ts'));
