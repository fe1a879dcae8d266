#!/usr/bin/env node
// Runs npm scripts side by side: `node scripts/stages.mjs lint:ts lint:js …`. Each stage is a single
// process (one core at most), so on a 2-core machine two at a time take about half as long as one
// after another. Each stage's output is printed whole when it ends, in the order given; the exit code
// is 1 when any stage failed, after every stage has run, and the failed ones are named last.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const stages = process.argv.slice(2);
if (stages.length === 0) {
  console.error('usage: node scripts/stages.mjs <npm script>…');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const slots = Math.max(2, availableParallelism());

/** Runs one npm script with its stdout and stderr captured together. */
function run(name) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.once('error', (error) => resolve({ name, code: 1, output: Buffer.from(String(error)) }));
    child.once('close', (code) => resolve({ name, code, output: Buffer.concat(output) }));
  });
}

const results = new Array(stages.length);
let next = 0;
let printed = 0;
/** Prints every finished stage whose predecessors have been printed, so the log reads in order. */
function flush() {
  while (printed < stages.length && results[printed]) {
    const { name, code, output } = results[printed++];
    process.stdout.write(`\n> ${name}${code === 0 ? '' : ` (failed, exit ${code})`}\n${output}`);
  }
}
await Promise.all(
  Array.from({ length: Math.min(slots, stages.length) }, async () => {
    while (next < stages.length) {
      const at = next++;
      results[at] = await run(stages[at]);
      flush();
    }
  }),
);
const failed = results.filter((result) => result.code !== 0).map((result) => result.name);
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
