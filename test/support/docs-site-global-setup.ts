// The docs site, built once per run for every suite that reads it (test/browser/docs.test.ts,
// test/browser/docs-ru.test.ts, test/docs/russian-docs.test.ts): each used to run Redocly itself, the
// English page twice and the Russian bundle twice. The build runs in a child process (it blocks on
// Redocly) that starts with the run, so the other suites run meanwhile; a suite waits for it with
// builtSite() (test/support/docs-site.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder holding `site/` (as `npm run docs` writes dist/docs) and, once the build ends, `built.json`. */
    docsBuild: string;
  }
}

/** Builds the site into `folder/site`, then writes `folder/built.json`: the pages' paths, or the error. */
const BUILDER = `
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const folder = process.argv[1];
let outcome;
try {
  const { buildSite } = await import(${JSON.stringify(new URL('../../scripts/docs.mjs', import.meta.url).href)});
  outcome = { pages: buildSite(join(folder, 'site')) };
} catch (error) {
  outcome = { error: String(error?.stack ?? error) };
}
writeFileSync(join(folder, 'built.json.part'), JSON.stringify(outcome));
renameSync(join(folder, 'built.json.part'), join(folder, 'built.json'));
`;

export default function setup(project: TestProject) {
  const folder = mkdtempSync(join(tmpdir(), 'b24-docs-build-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', BUILDER, folder], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ended = new Promise((resolve) => child.once('close', resolve));
  project.provide('docsBuild', folder);
  return async () => {
    child.kill();
    await ended;
    rmSync(folder, { recursive: true, force: true });
  };
}
