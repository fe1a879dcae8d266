#!/usr/bin/env node
// Builds the API docs: one self-contained HTML page (Redoc scripts inlined) at dist/docs/index.html.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const docsFile = join(root, 'dist', 'docs', 'index.html');

export function buildDocs(output = docsFile) {
  mkdirSync(dirname(output), { recursive: true });
  const redocly = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  execFileSync(
    process.execPath,
    [redocly, 'build-docs', join(root, 'generated', 'openapi.bundle.yaml'), '--output', output, '--inlineBundle',
      '--title', 'Bitrix24 lead–contact API (crm.lead.contact.*)'],
    { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return output;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`Docs written to ${buildDocs()}`);
}
