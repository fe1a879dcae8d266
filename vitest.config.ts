import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Starts the mock (Prism behind the Bitrix24 URL adapter) once, on a free loopback port.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    // Most files spend their time waiting on other processes (Chromium, redis-server, Prism, npm):
    // vitest's default of cores − 1 workers runs them one after another on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
