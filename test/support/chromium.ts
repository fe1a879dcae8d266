// Debian's Chromium, driven by playwright-core, for the tests that need a real browser. Without it a
// suite is skipped with a notice, except under CI=true, where a missing browser fails.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const hasChromium = existsSync(CHROMIUM);

/** Prints the skip notice, or under CI=true declares a failing test, when Chromium is missing. */
export function requireChromium(suite: string): void {
  if (hasChromium) return;
  const underCi = process.env.CI === 'true';
  console.warn(
    `\n[${suite}] ${CHROMIUM} not found: ${underCi ? 'FAILING (CI=true)' : 'SKIPPED'}. Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.\n`,
  );
  // Declared only when it must fail, so a normal run does not count it as skipped.
  if (underCi) {
    describe(suite, () => {
      it('has Chromium to run in (CI=true)', () => {
        throw new Error(`Chromium not found at ${CHROMIUM}; .ci/run installs it with apt-get, or set CHROMIUM_PATH.`);
      });
    });
  }
}

/** Starts headless Chromium; `launch()` gives it a fresh temporary profile and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
