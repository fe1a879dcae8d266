import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped` (and `; N file(s) failed` when a
 * file failed outside its tests), after vitest's own summary,
 * so CI logs that only read the last line see the counts without colour codes.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
    }
    // A file can fail outside its tests (a hook, an import): counted apart, so the line never reads green then.
    const failedFiles = testModules.filter((module) => module.state() === 'failed').length;
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${failedFiles ? `; ${failedFiles} file(s) failed` : ''}\n`,
    );
  }
}
