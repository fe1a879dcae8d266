#!/usr/bin/env node
// Validates GitHub Actions workflow files with action-validator (the workflow JSON schema plus checks
// such as `needs` naming a real job), so a broken workflow fails `npm test` before it is pushed.
//   node scripts/check-workflows.mjs [file-or-directory ...]     default: .github/workflows
// Prints one line per file and, for a broken one, each problem with its path in the file; exits 1 if
// any file is broken or none was found.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const validator = join(dirname(createRequire(import.meta.url).resolve('@action-validator/cli/package.json')), 'cli.mjs');

/** The workflow files named on the command line: files as given, directories by their *.yml and *.yaml. */
function workflowFiles(targets) {
  return targets.flatMap((target) =>
    statSync(target).isDirectory()
      ? readdirSync(target)
          .filter((name) => /\.ya?ml$/.test(name))
          .sort()
          .map((name) => join(target, name))
      : [target],
  );
}

/**
 * The innermost errors of action-validator's report as `path: what` lines. A `one_of` error lists, per
 * alternative the schema allows (e.g. a job with steps, or a call of a reusable workflow), why it does
 * not match; the alternative with the fewest problems is the one the author meant.
 */
function problems(report) {
  const leaves = (error) => {
    const states = (error.states ?? []).map((state) => (state.errors ?? []).flatMap(leaves)).filter((found) => found.length > 0);
    if (states.length === 0) return [`${error.path || '(file)'}: ${error.detail ?? error.title}${error.location ? ` (line ${error.location.line})` : ''}`];
    const fewest = Math.min(...states.map((found) => found.length));
    return states.filter((found) => found.length === fewest).flat();
  };
  return [...new Set((report.errors ?? []).flatMap(leaves))];
}

/** Runs action-validator on one file; returns its problems (empty when the file is valid). */
export function checkWorkflow(file) {
  try {
    execFileSync(process.execPath, [validator, file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    return [];
  } catch (error) {
    const output = String(error.stderr ?? '') || String(error.stdout ?? '') || String(error.message);
    try {
      const found = problems(JSON.parse(output));
      return found.length > 0 ? found : [output.trim()];
    } catch {
      return [output.trim()];
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const targets = process.argv.slice(2);
  const files = workflowFiles(targets.length > 0 ? targets : [join(root, '.github', 'workflows')]);
  if (files.length === 0) {
    console.error(`No workflow file found in ${targets.join(', ') || '.github/workflows'}.`);
    process.exit(1);
  }
  let broken = 0;
  for (const file of files) {
    const found = checkWorkflow(file);
    const name = relative(process.cwd(), file) || file;
    if (found.length === 0) {
      console.log(`ok    ${name}`);
      continue;
    }
    broken++;
    console.error(`FAIL  ${name}`);
    for (const line of found) console.error(`      ${line}`);
  }
  if (broken > 0) {
    console.error(`${broken} of ${files.length} workflow files are invalid.`);
    process.exit(1);
  }
  console.log(`${files.length} workflow files are valid.`);
}
