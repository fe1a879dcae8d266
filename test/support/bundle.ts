// A tiny app bundled for browsers from the package's sources, as an app's bundler would: to see what
// it ships.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The minified browser bundle of a tiny app importing from `b24-lead-contact` (the package entry). */
export async function bundleApp(app: string): Promise<string> {
  const result = await build({
    stdin: { contents: app, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    alias: { 'b24-lead-contact': entry },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** A page's script (TypeScript, imports resolved from the repository root) as one ES module for browsers, unminified. */
export async function bundlePageScript(script: string): Promise<string> {
  const result = await build({
    stdin: { contents: script, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  return result.outputFiles[0]!.text;
}
