// What `npm publish` would upload, read from `npm pack --dry-run` of the current build (npm test builds
// first). The table below is the whole promise: each entry point (package.json `exports`, and `bin`
// commands as `bin:<name>`) with the files it needs. A new entry point adds one row; a packed file no
// row claims, or a row or export target with no packed file, fails.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

const CONTENTS: Record<string, RegExp[]> = {
  // npm packs package.json, the READMEs (README.ru.md too) and LICENSE by itself; the changelog and the guides
  // the README links to (docs/*.md, so its links resolve in node_modules too) are listed in `files`.
  'package files': [/^package\.json$/, /^README\.md$/, /^README\.ru\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^SECURITY\.md$/, /^docs\/[a-z-]+\.md$/],
  // The client: compiled runtime, its declarations, and the generated method list and types it imports
  // (record-fields and item-fields type select, filter and order of the list and crm.item methods).
  '.': [
    /^dist\/lib\/src\/(client\/)?[a-z-]+\.(js|d\.ts)$/,
    /^dist\/lib\/src\/wire\/(bitrix24|json-pointer|read-body)\.(js|d\.ts)$/,
    /^dist\/lib\/generated\/(methods|record-fields|item-fields)\.(js|d\.ts)$/,
    /^dist\/lib\/generated\/schema\.d\.ts$/,
  ],
  './openapi.yaml': [/^generated\/openapi\.bundle\.yaml$/],
  // The same file the sandbox imports: each artifact is packed once.
  './openapi.json': [/^dist\/lib\/generated\/openapi\.bundle\.json$/],
  './schema': [/^dist\/lib\/generated\/schema\.d\.ts$/],
  './package.json': [/^package\.json$/],
  // The sandbox: the in-process engine (browser condition) and the Node entry with its HTTP server, on
  // the wire layer, with the contract and the validators compiled from it.
  './sandbox': [
    /^dist\/lib\/src\/(sandbox|wire)\/[a-z0-9-]+\.(js|d\.ts)$/,
    /^dist\/lib\/src\/node\/(sandbox|sandbox-server|guarded-server|admin-exposure|event-deliver|handler-post|handler-answer|app-folder)\.(js|d\.ts)$/,
    /^dist\/lib\/generated\/validators\.(js|d\.ts)$/,
    /^dist\/lib\/generated\/openapi\.bundle\.json$/,
  ],
  // What Bitrix24 sends an app: reading and verifying deliveries, the offline reader, the OAuth refresh.
  './events': [/^dist\/lib\/src\/events\.(js|d\.ts)$/, /^dist\/lib\/src\/events\/[a-z-]+\.(js|d\.ts)$/],
  // The Node http adapter of the event handler.
  './events/node': [/^dist\/lib\/src\/node\/event-listener\.(js|d\.ts)$/],
  // MSW request handlers that answer through a sandbox.
  './msw': [/^dist\/lib\/src\/msw\.(js|d\.ts)$/],
  // `npx b24-lead-contact sandbox`.
  'bin:b24-lead-contact': [/^dist\/lib\/src\/node\/cli\.(js|d\.ts)$/],
  // The app side of an in-portal frame (browser only): its entry and connectFrame.
  './frame': [/^dist\/lib\/src\/frame\.(js|d\.ts)$/, /^dist\/lib\/src\/frame\/[a-z-]+\.(js|d\.ts)$/],
  // The Redis store for fleets: its entry and the shared-store logic only it imports.
  './redis': [/^dist\/lib\/src\/redis\.(js|d\.ts)$/, /^dist\/lib\/src\/store\/[a-z-]+\.(js|d\.ts)$/],
};

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const entryPoints = [...Object.keys(pkg.exports), ...Object.keys(pkg.bin ?? {}).map((name) => `bin:${name}`)];

/** Every file path an exports entry (string or condition object) or a bin command points to. */
function targets(entry: string): string[] {
  const collect = (value: unknown): string[] =>
    typeof value === 'string' ? [value.replace(/^\.\//, '')] : Object.values((value ?? {}) as Record<string, unknown>).flatMap(collect);
  return entry.startsWith('bin:') ? collect(pkg.bin[entry.slice(4)]) : collect(pkg.exports[entry]);
}

describe('the packed package', () => {
  let files: string[];

  beforeAll(() => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    files = packed.files.map((file: { path: string }) => file.path);
  }, 60_000);

  it('has one row in the contents table for every entry point, and no row for a removed one', () => {
    expect(
      Object.keys(CONTENTS)
        .filter((key) => key !== 'package files')
        .sort(),
    ).toEqual([...entryPoints].sort());
  });

  it('holds every file an entry point points to, claimed by that entry point’s row', () => {
    for (const entry of entryPoints) {
      for (const target of targets(entry)) {
        expect(files, `${entry} → ${target}`).toContain(target);
        expect(
          CONTENTS[entry]!.some((pattern) => pattern.test(target)),
          `${entry} → ${target} matches its row`,
        ).toBe(true);
      }
    }
  });

  it('holds nothing that no row of the table claims', () => {
    const unclaimed = files.filter((file) => !Object.values(CONTENTS).some((patterns) => patterns.some((pattern) => pattern.test(file))));
    expect(unclaimed).toEqual([]);
  });

  it('holds at least one file for every pattern of the table (no stale rows)', () => {
    for (const [entry, patterns] of Object.entries(CONTENTS)) {
      for (const pattern of patterns)
        expect(
          files.some((file) => pattern.test(file)),
          `${entry}: ${pattern}`,
        ).toBe(true);
    }
  });

  it('holds each artifact once: no two files with the same content, no JSON document twice in two layouts', () => {
    const fingerprint = (file: string) => {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      return createHash('sha256')
        .update(file.endsWith('.json') ? JSON.stringify(JSON.parse(text)) : text)
        .digest('hex');
    };
    // A module of types only compiles to the same one line, `export {};` (after a generated file's header comment).
    const typesOnly = (file: string) =>
      readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')
        .replace(/^\/\/.*\n/gm, '')
        .trim() === 'export {};';
    const seen = new Map<string, string>();
    const twice = files
      .filter((file) => !typesOnly(file))
      .flatMap((file) => {
        const first = seen.get(fingerprint(file));
        seen.set(fingerprint(file), file);
        return first ? [`${first} = ${file}`] : [];
      });
    expect(twice).toEqual([]);
  });

  it('leaves out everything only development needs: tests, scripts, benchmarks, CI, sources, source maps', () => {
    const devOnly = files.filter(
      (file) =>
        /^(test|scripts|bench|src|openapi|\.github|\.ci|node_modules)\//.test(file) || /\.map$/.test(file) || (/\.ts$/.test(file) && !/\.d\.ts$/.test(file)),
    );
    expect(devOnly).toEqual([]);
  });
});
