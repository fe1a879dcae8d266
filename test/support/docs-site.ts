import { existsSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A built docs site, as `npm run docs` writes it: both pages and the contract files beside them. */
export interface BuiltSite {
  /** The folder (dist/docs for `npm run docs`). */
  dir: string;
  /** The English page, dir/index.html. */
  en: string;
  /** The Russian page, dir/ru/index.html. */
  ru: string;
}

/**
 * The run's docs site, built by scripts/docs.mjs once for all suites (test/support/docs-site-global-setup.ts):
 * resolves when the build has ended, and rejects with the build's error if it failed.
 */
export async function builtSite(): Promise<BuiltSite> {
  const folder = inject('docsBuild');
  const outcomeFile = join(folder, 'built.json');
  await new Promise<void>((resolve) => {
    const watcher = watch(folder, () => {
      if (existsSync(outcomeFile)) watcher.close(), resolve();
    });
    if (existsSync(outcomeFile)) watcher.close(), resolve();
  });
  const outcome = JSON.parse(readFileSync(outcomeFile, 'utf8')) as { pages?: { en: string; ru: string }; error?: string };
  if (!outcome.pages) throw new Error(`The docs build failed:\n${outcome.error}`);
  return { dir: join(folder, 'site'), ...outcome.pages };
}
