// Issue 16 #7 through the CLI: --host beyond loopback warns and prints a made-up admin token once;
// a token given by --admin-token or B24_SANDBOX_ADMIN_TOKEN is required and never printed.
import { afterEach, describe, expect, it } from 'vitest';
import { killClis, runCli } from '../support/cli-run.js';
import { send } from '../support/contract-answer.js';

const GIVEN = 'given-admin-token-0123456789';
afterEach(killClis);

describe('npx b24-lead-contact sandbox --host beyond loopback', () => {
  it('regression (issue 16 #7): warns, prints a made-up admin token once, and requires it on the admin API', async () => {
    const cli = runCli(['sandbox', '--port', '0', '--host', '0.0.0.0']);
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
    const cli = runCli(['sandbox', '--port', '0', '--host', '0.0.0.0'], { B24_SANDBOX_ADMIN_TOKEN: GIVEN });
    const port = await cli.port();
    expect(`${cli.output().stdout}${cli.output().stderr}`).not.toContain(GIVEN);
    expect((await send(`http://127.0.0.1:${port}/__sandbox/state`, { headers: { 'x-sandbox-token': GIVEN } })).status).toBe(200);
  });

  it('requires a token given with --admin-token on loopback too', async () => {
    const cli = runCli(['sandbox', '--port', '0', '--admin-token', GIVEN]);
    const port = await cli.port();
    expect(cli.output().stderr).not.toMatch(/WARNING/);
    expect((await send(`http://127.0.0.1:${port}/__sandbox/state`)).status).toBe(401);
  });

  it.each([
    [['sandbox', '--admin-token', 'short'], {}, /--admin-token must be 16 to 512 visible ASCII characters without spaces/],
    [['sandbox'], { B24_SANDBOX_ADMIN_TOKEN: 'has a space in it, long' }, /B24_SANDBOX_ADMIN_TOKEN must be 16 to 512 visible ASCII characters/],
  ])('exits 2 for a bad token %j', async (args, env, message) => {
    const cli = runCli(args, env);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(message);
  });
});
