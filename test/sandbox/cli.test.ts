// The CLI as a user runs it: the compiled bin from dist (npm test builds first), in its own process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killClis, runCli } from '../support/cli-run.js';
import { linkHeavySeed } from '../support/abuse-inputs.js';
import { postJson } from '../support/contract-answer.js';

const ITEMS_GET = 'crm.lead.contact.items.get';
afterEach(killClis);

/** A seed file in a fresh temporary folder. */
function seedFile(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'b24-seed-')), 'seed.json');
  writeFileSync(file, text);
  return file;
}

describe('npx b24-lead-contact sandbox', () => {
  it('prints its webhook, OAuth and admin URLs, answers there, and stops on SIGTERM with exit code 0', async () => {
    const cli = runCli(['sandbox', '--port', '0']);
    const url = await cli.url();
    const { stdout } = cli.output();
    expect(stdout).toContain(`webhook: ${url}/rest/1/sandbox/`);
    expect(stdout).toContain(`OAuth:   ${url}/rest/`);
    expect(stdout).toContain(`admin:   ${url}/__sandbox/`);
    const answer = await postJson(`${url}/rest/1/sandbox/${ITEMS_GET}`, { id: 1 }, ITEMS_GET);
    expect(answer.body.result).toHaveLength(2);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('stops on SIGINT (Ctrl+C) as well', async () => {
    const cli = runCli(['sandbox', '--port', '0', '--host', '127.0.0.1']);
    await cli.url();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('starts from a --seed file', async () => {
    const cli = runCli(['sandbox', '--port', '0', '--seed', seedFile('{"leads":[{"id":5,"contacts":[77]}],"contacts":[77]}')]);
    const url = await cli.url();
    const answer = await postJson(`${url}/rest/1/sandbox/${ITEMS_GET}`, { id: 5 }, ITEMS_GET);
    expect(answer.body.result).toEqual([{ CONTACT_ID: 77, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
  });

  it('prints the frame host address for --app: a URL as given, a folder served on a port of its own with GET', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24-frame-app-'));
    writeFileSync(join(dir, 'index.html'), '<p>app</p>');
    const byUrl = runCli([
      'sandbox',
      '--port',
      '0',
      '--app',
      'http://localhost:5173/',
      '--placement',
      'CRM_LEAD_DETAIL_TAB',
      '--options',
      '{"ID":"1"}',
      '--mode',
      'get',
    ]);
    const byFolder = runCli(['sandbox', '--port', '0', '--app', dir]);
    const url = await byUrl.url();
    const frame = new URL((await byUrl.printed('stdout', /frame: +(\S+)/))[1]!);
    expect(`${frame.origin}${frame.pathname}`).toBe(`${url}/__sandbox/frame`);
    expect(Object.fromEntries(frame.searchParams)).toEqual({
      app: 'http://localhost:5173/',
      placement: 'CRM_LEAD_DETAIL_TAB',
      options: '{"ID":"1"}',
      mode: 'get',
    });
    expect((await fetch(frame)).status).toBe(200);
    await byFolder.url();
    const app = (await byFolder.printed('stdout', /app: +(\S+)/))[1]!;
    const folderFrame = new URL((await byFolder.printed('stdout', /frame: +(\S+)/))[1]!);
    expect([folderFrame.searchParams.get('app'), folderFrame.searchParams.get('mode')]).toEqual([app, 'get']);
    expect(await (await fetch(app)).text()).toBe('<p>app</p>');
  });

  it('prints the usage for --help and exits 0', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(/^Usage: b24-lead-contact sandbox \[--port N\] \[--host H\] \[--seed file\.json\]/);
  });

  it.each([
    [['sandbox', '--port', 'abc'], /--port must be an integer from 0 to 65535, got "abc"/],
    [['sandbox', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['sandbox', '--colour'], /Unknown option '--colour'/],
    [['sandbox', '--port'], /--port/],
    [[], /Name a command: b24-lead-contact sandbox/],
    [['serve'], /Unknown command "serve"/],
    [['sandbox', '--app', 'no-such-folder'], /--app must be an http:\/\/ or https:\/\/ URL or an existing folder/],
    [['sandbox', '--app', 'http://localhost:5173/', '--options', '[1]'], /--options: options must be a JSON object/],
    [['sandbox', '--placement', 'CRM_LEAD_DETAIL_TAB'], /--placement, --options and --mode need --app/],
    [['sandbox', '--app', 'http://localhost:5173/', '--mode', 'put'], /--mode: mode must be post .* or get/],
    [['sandbox', '--seed', '/nonexistent/seed.json'], /Cannot read the seed file \/nonexistent\/seed\.json: no such file/],
    [['sandbox', '--seed', seedFile('{"leads": [1,')], /is not valid JSON/],
    [['sandbox', '--seed', seedFile('{"leads": [{"id": -1}]}')], /is not a valid seed: leads\[0\]\.id must be a positive integer/],
    // Issue 16, defect 4: 14 leads × 10,000 links once ended with exit 1 and "Maximum call stack size exceeded".
    [
      ['sandbox', '--seed', seedFile(JSON.stringify(linkHeavySeed(14, 10_000)))],
      /is not a valid seed: the seed names 140000 distinct contacts .*at most 10000/,
    ],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(message);
    expect(cli.output().stdout).toBe('');
  });

  it('exits 1 naming the port when it is busy', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as { port: number };
    try {
      const cli = runCli(['sandbox', '--port', String(port)]);
      expect(await cli.exited).toBe(1);
      expect(cli.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use; choose another with --port`);
    } finally {
      busy.close();
    }
  });
});
