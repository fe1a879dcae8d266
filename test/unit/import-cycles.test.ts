import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findCycles } from '../../scripts/check-cycles.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'b24-cycles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `files` (path → source) under a fresh folder and returns it. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('import cycles', () => {
  it('src/ has none, type-only imports included', () => {
    expect(findCycles(fileURLToPath(new URL('../../src', import.meta.url)))).toEqual([]);
  });

  it('finds a cycle made only of type imports across folders', () => {
    const dir = tree('typed', {
      'client/options.ts': "import type { Store } from '../store/store.js';\nexport type Options = { store?: Store };\n",
      'store/store.ts': "import type { Options } from '../client/options.js';\nexport type Store = { connect(o: Options): void };\n",
    });
    expect(findCycles(dir)).toEqual([['client/options.ts', 'store/store.ts', 'client/options.ts']]);
  });

  it('finds a cycle closed by a re-export and ignores package imports', () => {
    const dir = tree('reexport', {
      'a.ts': "import 'openapi-fetch';\nexport * from './b.js';\n",
      'b.ts': "export { a } from './c.js';\n",
      'c.ts': "import { x } from './a.js';\nexport const a = x;\n",
    });
    expect(findCycles(dir)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
