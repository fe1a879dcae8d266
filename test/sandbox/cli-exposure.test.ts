// Issue 16 #7 through the CLI: --host beyond loopback warns and prints a made-up admin token once;
// a token given by --admin-token or B24_SANDBOX_ADMIN_TOKEN is required and never printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../support/contract-answer.js';

const BIN = fileURLToPath(new URL('../../dist/lib/src/node/cli.js', import.meta.url));
const GIVEN = 'given-admin-token-0123456789';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const { B24_SANDBOX_ADMIN_TOKEN: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    exited,
    output: () => ({ stdout, stderr }),
    /** The port, once the whole start-up text (up to "Press Ctrl+C") is printed. */
    async port(): Promise<number> {
      return Number((await this.printed('stdout', /listening on http:\/\/\S+:(\d+)[\s\S]*Press Ctrl\+C/))[1]);
    },
    /** Resolves once `pattern` has been printed on that stream (the two pipes arrive in no fixed order). */
    async printed(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
      for (;;) {
        const match = pattern.exec(stream === 'stdout' ? stdout : stderr);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`the CLI exited with ${child.exitCode}: ${stderr}`);
        await new Promise((resolve) => {
          child[stream]!.once('data', resolve);
          child.once('exit', resolve);
        });
      }
    },
  };
}

describe('npx b24-lead-contact sandbox --host beyond loopback', () => {
  it('regression (issue 16 #7): warns, prints a made-up admin token once, and requires it on the admin API', async () => {
    const cli = run(['sandbox', '--port', '0', '--host', '0.0.0.0']);
    const port = await cli.port();
    await cli.printed('stderr', /WARNING: listening on 0\.0\.0\.0, beyond loopback/);
    const { stdout } = cli.output();
    const token = /admin token: (\S+)/.exec(stdout)?.[1];
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(stdout.split(token!).length - 1).toBe(1);
    const admin = `http://127.0.0.1:${port}/__sandbox/state`;
    expect((await send(admin)).status).toBe(401);
    expect((await send(admin, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('takes the token from B24_SANDBOX_ADMIN_TOKEN without printing it', async () => {
    const cli = run(['sandbox', '--port', '0', '--host', '0.0.0.0'], { B24_SANDBOX_ADMIN_TOKEN: GIVEN });
    const port = await cli.port();
    expect(`${cli.output().stdout}${cli.output().stderr}`).not.toContain(GIVEN);
    expect((await send(`http://127.0.0.1:${port}/__sandbox/state`, { headers: { 'x-sandbox-token': GIVEN } })).status).toBe(200);
  });

  it('requires a token given with --admin-token on loopback too', async () => {
    const cli = run(['sandbox', '--port', '0', '--admin-token', GIVEN]);
    const port = await cli.port();
    expect(cli.output().stderr).not.toMatch(/WARNING/);
    expect((await send(`http://127.0.0.1:${port}/__sandbox/state`)).status).toBe(401);
  });

  it.each([
    [['sandbox', '--admin-token', 'short'], {}, /--admin-token must be 16 to 512 visible ASCII characters without spaces/],
    [['sandbox'], { B24_SANDBOX_ADMIN_TOKEN: 'has a space in it, long' }, /B24_SANDBOX_ADMIN_TOKEN must be 16 to 512 visible ASCII characters/],
  ])('exits 2 for a bad token %j', async (args, env, message) => {
    const cli = run(args, env);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(message);
  });
});
