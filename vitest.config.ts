import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import DocsAfterMockSequencer from './test/support/docs-after-mock-sequencer.js';
import { mswForThisNode } from './test/support/toolchains.js';

/** The suites that call the Prism mock; only they start it. */
const MOCK_SUITES = ['test/contract/**/*.test.ts', 'test/browser/client.test.ts'];
/** The suites that read the built docs site; the run builds it once for them. */
const DOCS_SITE_SUITES = ['test/browser/docs.test.ts', 'test/browser/docs-ru.test.ts', 'test/docs/russian-docs.test.ts', 'test/docs/webhooks.test.ts'];

// The MSW suites run with the newest msw this Node allows: msw 3 (the `msw3` alias) from Node 22.12.
const msw3 = mswForThisNode('vitest.config').major === 3;

export default defineConfig({
  resolve: { alias: msw3 ? [{ find: /^msw(\/.*)?$/, replacement: 'msw3$1' }] : [] },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    // Most files spend their time waiting on other processes (Chromium, redis-server, Prism, npm):
    // vitest's default of cores − 1 workers runs them one after another on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Worker threads rather than forked processes, each running file after file without loading vitest
    // and our modules again for every file: the suite is CPU-bound, and a whole run took 215 CPU-s with
    // a fresh worker per file, 170 CPU-s without. So a file must leave no global behind: it restores
    // what it stubs, spies on or fakes (vi.unstubAllGlobals, vi.useRealTimers, mockRestore).
    pool: 'threads',
    isolate: false,
    setupFiles: ['test/support/no-leaked-globals.ts'],
    sequence: { sequencer: DocsAfterMockSequencer },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'mock',
          include: MOCK_SUITES,
          // Starts the mock (Prism behind the Bitrix24 URL adapter) once, on a free loopback port.
          globalSetup: ['test/support/prism-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'docs-site',
          include: DOCS_SITE_SUITES,
          // Starts building the site (scripts/docs.mjs) in a child process; the suites wait for it.
          globalSetup: ['test/support/docs-site-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'no-mock',
          include: ['test/**/*.test.ts'],
          exclude: [...MOCK_SUITES, ...DOCS_SITE_SUITES],
          typecheck: {
            enabled: true,
            include: ['test/types/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
            // TypeScript 7's native compiler (the `tsc` in node_modules/.bin may be any of the installed ones).
            checker: './node_modules/typescript7/bin/tsc',
          },
        },
      },
    ],
  },
});
