#!/usr/bin/env node
// Runs npm scripts side by side: `node scripts/stages.mjs lint:ts lint:js …`. Each stage is a single
// process (one core at most), so on a 2-core machine two at a time take about half as long as one
// after another. Output reads in the order given: the first unfinished stage's output is printed as
// it comes, a later stage's is held until every stage before it has ended. The exit code is 1 when
// any stage failed, after every stage has run, and the failed ones are named last.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const stages = process.argv.slice(2);
if (stages.length === 0) {
  console.error('usage: node scripts/stages.mjs <npm script>…');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const slots = Math.max(2, availableParallelism());

const results = new Array(stages.length);
/** Each stage's output so far; a stage at the head of the print order writes through. */
const held = stages.map(() => /** @type {Buffer[]} */ ([]));
let next = 0;
let printed = 0;
let headerPrinted = -1;

/** Prints the head stage's header and held output once, so that what follows can go straight out. */
function openHead() {
  if (printed >= stages.length || headerPrinted === printed) return;
  headerPrinted = printed;
  process.stdout.write(`\n> ${stages[printed]}\n`);
  for (const chunk of held[printed].splice(0)) process.stdout.write(chunk);
}

/** Moves the print head past every finished stage, naming a failure after its output. */
function flush() {
  openHead();
  while (printed < stages.length && results[printed]) {
    const { name, code } = results[printed];
    if (code !== 0) process.stdout.write(`\n> ${name} failed, exit ${code}\n`);
    printed++;
    openHead();
  }
}

/** Runs one npm script with its stdout and stderr captured together. */
function run(at) {
  return new Promise((resolve) => {
    const name = stages[at];
    const child = spawn(npm, ['run', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    });
    const take = (chunk) => (at === printed ? process.stdout.write(chunk) : held[at].push(chunk));
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (error) => {
      take(Buffer.from(`${error}\n`));
      resolve({ name, code: 1 });
    });
    child.once('close', (code) => resolve({ name, code }));
  });
}

await Promise.all(
  Array.from({ length: Math.min(slots, stages.length) }, async () => {
    while (next < stages.length) {
      const at = next++;
      if (at === printed) openHead();
      results[at] = await run(at);
      flush();
    }
  }),
);
const failed = results.filter((result) => result.code !== 0).map((result) => result.name);
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
