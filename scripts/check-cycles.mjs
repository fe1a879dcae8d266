#!/usr/bin/env node
// Fails when the modules under src/ import each other in a circle, type-only imports included: a
// cycle means a type lives in the wrong module (STYLE.md, Code). Imports are read with the TypeScript
// compiler's own pre-processor, so `import type`, `export … from` and `import()` all count.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Every .ts file under `dir`, recursively. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The files under `dir` that `file` imports by a relative specifier (`./x.js` is read as `./x.ts`). */
function importsOf(file, known) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name).replace(/\.js$/, '.ts'))
    .filter((path) => known.has(path));
}

/**
 * The import cycles among the .ts files under `dir`, each as a list of paths relative to `dir` that
 * starts and ends with the same file; empty when there is none.
 * @param {string} dir
 * @returns {string[][]}
 */
export function findCycles(dir) {
  const files = sourceFiles(resolve(dir));
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file, known)]));
  const cycles = [];
  const state = new Map(); // file → 'open' while on the DFS stack, 'done' after
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((path) => relative(dir, path)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const cycles = findCycles(src);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' → ')}`);
  if (cycles.length) process.exit(1);
  console.log('No import cycles under src/.');
}
