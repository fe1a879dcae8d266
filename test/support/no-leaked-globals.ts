// Every test file runs this first (vitest.config.ts `setupFiles`). Vitest's workers run file after
// file in one module graph (`isolate: false`), so a global that one file stubs, fakes or patches and
// does not restore would change the files after it. This fails the file that leaves one behind.
import { afterAll, expect, vi } from 'vitest';

const GLOBALS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'Date',
  'fetch',
  'Request',
  'Response',
  'Headers',
  'WebSocket',
] as const;
type Natives = Partial<Record<(typeof GLOBALS)[number], unknown>>;

/** The worker's own globals, taken once, before any test file could replace one. */
const KEY = Symbol.for('b24-lead-contact.test.natives');
const store = globalThis as typeof globalThis & { [KEY]?: Natives };
const natives = (store[KEY] ??= Object.fromEntries(GLOBALS.map((name) => [name, globalThis[name as keyof typeof globalThis]])) as Natives);
const absent = ['window', 'document', 'location', 'parent'].filter((name) => !(name in globalThis));

afterAll(() => {
  expect(vi.isFakeTimers(), 'fake timers still installed at the end of the file (vi.useRealTimers)').toBe(false);
  const replaced = GLOBALS.filter((name) => globalThis[name as keyof typeof globalThis] !== natives[name]);
  expect(replaced, 'globals still replaced at the end of the file (restore them: mockRestore, vi.unstubAllGlobals, server.close)').toEqual([]);
  const added = absent.filter((name) => name in globalThis);
  expect(added, 'globals still defined at the end of the file (vi.unstubAllGlobals)').toEqual([]);
});
