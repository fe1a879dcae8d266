// The GitHub Actions workflows are checked locally by scripts/check-workflows.mjs (action-validator), as
// part of `npm run lint`. These tests prove that check can fail, and on what.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-workflows.mjs', import.meta.url));
const workflowsDir = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'b24-workflows-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the check on a directory holding the given files; returns its exit code and output. */
function check(workflows: Record<string, string>): { status: number; output: string } {
  const dir = join(scratch, String(readdirSync(scratch).length));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(workflows)) writeFileSync(join(dir, name), text);
  try {
    const stdout = execFileSync(process.execPath, [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output: stdout };
  } catch (error: any) {
    return { status: error.status, output: `${error.stdout}${error.stderr}` };
  }
}

const valid = `name: ok
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: npm test
`;

describe('workflow validation (npm run lint:workflows)', () => {
  it('accepts every workflow of this repository', () => {
    const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));
    expect(files.length).toBeGreaterThan(0);
    const output = execFileSync(process.execPath, [script, workflowsDir], { encoding: 'utf8' });
    for (const name of files) expect(output).toMatch(new RegExp(`ok {4}\\S*${name.replace('.', '\\.')}`));
    expect(output).toContain(`${files.length} workflow files are valid.`);
  });

  it('rejects a misspelt key, naming the file and the job', () => {
    const result = check({ 'good.yml': valid, 'broken.yml': valid.replace('steps:', 'step:') });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/FAIL {2}\S*broken\.yml/);
    expect(result.output).toContain("/jobs/test: Additional property 'step' is not allowed");
    expect(result.output).toMatch(/ok {4}\S*good\.yml/);
    expect(result.output).toContain('1 of 2 workflow files are invalid.');
  });

  it('rejects a job that needs a job the workflow does not have', () => {
    const result = check({ 'needs.yml': valid.replace('    runs-on:', '    needs: build\n    runs-on:') });
    expect(result.status).toBe(1);
    expect(result.output).toContain('/jobs/test/needs: unresolved job build');
  });

  it('rejects YAML that does not parse, with the line', () => {
    const result = check({ 'indent.yml': valid.replace('    steps:', '   steps:') });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/indent\.yml[\s\S]*\(line 6\)/);
  });

  it('fails when there is no workflow to check', () => {
    const result = check({ 'README.md': '# not a workflow' });
    expect(result.status).toBe(1);
    expect(result.output).toContain('No workflow file found');
  });
});
