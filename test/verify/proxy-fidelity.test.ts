// Issue 16 #8: the checking proxy passes traffic on unchanged (bytes, repeated headers) and never
// prints an app's own credentials, whatever the portal echoes back.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { maskAuthValues } from '../../src/dev/verify/auth-patterns.js';
import { credentialsOf } from '../../src/dev/verify/checking-proxy.js';
import { mask } from '../../src/dev/verify/connection.js';
import { parseMethodUrl } from '../../src/wire/method-url.js';
import { ANSWER_BYTES, COOKIES, type EchoPortal, startEchoPortal } from './echo-portal.js';
import { startVerifyProxy } from '../support/verify-run.js';

const WEBHOOK_CODE = 'proxy-fidelity-hook-77';
const APP_TOKEN = 'AppsOwnToken987654';

let portal: EchoPortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

async function proxyInFront() {
  portal = await startEchoPortal();
  const proxy = await startVerifyProxy({ B24_WEBHOOK_URL: `${portal.url}/rest/1/${WEBHOOK_CODE}/` });
  onTestFinished(() => void proxy.child.kill('SIGKILL'));
  return proxy;
}

describe('maskAuthValues', () => {
  it.each([
    ['a query', '/rest/crm.lead.get?id=1&auth=AppsOwnToken987654', '/rest/crm.lead.get?id=1&auth=***'],
    ['the first query parameter', '/rest/crm.lead.get?auth=AppsOwnToken987654&id=1', '/rest/crm.lead.get?auth=***&id=1'],
    ['a form body at the start of a quoted string', '"auth=AppsOwnToken987654&id=1"', '"auth=***&id=1"'],
    ['HTML-escaped query', 'href="/rest/x?id=1&amp;auth=AppsOwnToken987654"', 'href="/rest/x?id=1&amp;auth=***"'],
    ['JSON', '{"id":1,"auth":"AppsOwnToken987654"}', '{"id":1,"auth":"***"}'],
    ['JSON inside a JSON string', '"{\\"id\\":1,\\"auth\\":\\"AppsOwnToken987654\\"}"', '"{\\"id\\":1,\\"auth\\":\\"***\\"}"'],
    ['HTML entities', '{&quot;auth&quot;:&quot;AppsOwnToken987654&quot;}', '{&quot;auth&quot;:&quot;***&quot;}'],
    ["PHP's var_export", "'auth' => 'AppsOwnToken987654'", "'auth' => '***'"],
    ["PHP's print_r", '[auth] => AppsOwnToken987654\n', '[auth] => ***\n'],
    [
      'a percent-encoded batch command',
      'cmd[a]=crm.lead.get%3Fid%3D1%26auth%3DAppsOwnToken987654%26x%3D1',
      'cmd[a]=crm.lead.get%3Fid%3D1%26auth%3D***%26x%3D1',
    ],
    ['a webhook code in a path', 'POST /rest/1/someAppsHook123/crm.lead.add', 'POST /rest/1/***/crm.lead.add'],
    ["a webhook code behind PHP's escaped slashes", '"\\/rest\\/1\\/someAppsHook123\\/crm.lead.add"', '"\\/rest\\/1\\/***\\/crm.lead.add"'],
  ])('masks the auth value in %s', (_name, text, masked) => {
    expect(maskAuthValues(text)).toBe(masked);
  });

  it.each([['oauth=x is another parameter'], ['author=Anna'], ['"authority": "x"']])('leaves %s alone', (text) => {
    expect(maskAuthValues(text)).toBe(text);
  });

  it('masks the known secrets in every spelling the client masks (JSON-escaped, percent-encoded)', () => {
    const secret = 'hook/with space';
    expect(mask(`a ${JSON.stringify(secret)} b ${encodeURIComponent(secret)} c`, [secret])).toBe('a "***" b *** c');
  });
});

describe('credentialsOf', () => {
  it.each([
    ['a webhook code', '/rest/1/app-hook-code/crm.lead.add', 'application/json', '{}', ['app-hook-code']],
    ['auth in the query', `/rest/crm.lead.add?auth=${APP_TOKEN}`, '', '', [APP_TOKEN]],
    ['auth in a form body', '/rest/crm.lead.add', 'application/x-www-form-urlencoded', `id=1&auth=${APP_TOKEN}`, [APP_TOKEN]],
    ['auth in a JSON body', '/rest/crm.lead.add', 'application/json', `{"auth":"${APP_TOKEN}"}`, [APP_TOKEN]],
    ['an unreadable body', '/rest/crm.lead.add', 'application/json', '{"auth":', []],
  ])('finds %s', (_name, url, contentType, body, expected) => {
    expect(credentialsOf(parseMethodUrl(url), contentType, body)).toEqual(expected);
  });
});

describe('npm run verify -- --proxy passes traffic on unchanged', () => {
  it('regression (issue 16 #8): forwards the bytes ff fe 00 80 both ways, not as U+FFFD', async () => {
    const proxy = await proxyInFront();
    const answer = await fetch(`${proxy.url}/rest/1/${WEBHOOK_CODE}/crm.lead.contact.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Uint8Array.from(ANSWER_BYTES),
    });
    expect(Buffer.from(await answer.arrayBuffer()).toString('hex')).toBe('fffe0080');
    expect(portal!.received.map((bytes) => bytes.toString('hex'))).toEqual(['fffe0080']);
    await proxy.stop();
  });

  it('regression (issue 16 #8): passes on both Set-Cookie headers of an answer', async () => {
    const proxy = await proxyInFront();
    const answer = await fetch(`${proxy.url}/rest/1/${WEBHOOK_CODE}/crm.lead.contact.add`, { method: 'POST', body: '{}' });
    expect(answer.headers.getSetCookie()).toEqual(COOKIES);
    await proxy.stop();
  });
});

describe('npm run verify -- --proxy never prints an app credential', () => {
  it('regression (issue 16 #8): masks the auth value of a portal page that echoes the request', async () => {
    const proxy = await proxyInFront();
    const form = await fetch(`${proxy.url}/rest/crm.lead.contact.items.get?auth=${APP_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `auth=${APP_TOKEN}&id=1`,
    });
    expect(await form.text()).toContain(APP_TOKEN); // the app gets its answer unchanged
    const json = await fetch(`${proxy.url}/rest/crm.lead.contact.items.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: APP_TOKEN, id: 1 }),
    });
    expect(json.status).toBe(500);
    const run = await proxy.stop();
    expect(`${run.stdout}${run.stderr}`).not.toContain(APP_TOKEN);
    expect(run.stdout).toMatch(/violation at \(body\): not JSON: "auth=\*\*\*&id=1/);
    expect(run.stdout).toMatch(/not JSON: "\{\\"auth\\":\\"\*\*\*\\"/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_CODE);
  });
});
