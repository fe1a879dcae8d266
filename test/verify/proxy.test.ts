// `npm run verify -- --proxy`: a local proxy in front of the (fake) portal that forwards the app's
// calls unchanged and reports each contract violation in requests and answers.
import { connect } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startFakePortal, WEBHOOK_CODE, type FakePortal } from '../support/fake-portal.js';
import { startVerifyProxy } from '../support/verify-run.js';

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('npm run verify -- --proxy', () => {
  it('forwards each call and reports the violations it sees, without printing the webhook code', async () => {
    portal = await startFakePortal();
    const proxy = await startVerifyProxy({ B24_WEBHOOK_URL: `${portal.url}/rest/1/${WEBHOOK_CODE}/` });
    onTestFinished(() => void proxy.child.kill('SIGKILL'));
    const base = `${proxy.url}/rest/1/${WEBHOOK_CODE}`;

    const conforming = await post(`${base}/crm.lead.contact.items.get`, { id: 1 });
    expect(conforming.status).toBe(200);
    expect((await conforming.json()).result).toEqual([]);
    const violating = await post(`${base}/crm.lead.contact.items.get.json`, { id: 2 });
    expect((await violating.json()).result[0].IS_PRIMARY).toBe(true); // passed through unchanged
    const html = await post(`${base}/crm.lead.contact.items.get`, { id: 5 });
    expect(html.status).toBe(500);
    expect(await html.text()).toContain('<!DOCTYPE html>');
    await post(`${base}/crm.lead.contact.add`, { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: true } });
    const form = await fetch(`${base}/crm.lead.contact.items.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=abc',
    });
    expect(form.status).toBe(400); // forwarded as it came; the fake finds no lead "abc"

    const run = await proxy.stop();
    const lines = run.stdout.split('\n');
    const report = (label: RegExp) => lines.findIndex((l) => label.test(l));
    expect(lines[report(/crm\.lead\.contact\.items\.get\s+POST webhook → HTTP 200/)]).toMatch(/^PASS/);
    const second = lines.findIndex((l, i) => i > report(/items\.get\s+POST webhook → HTTP 200/) && /items\.get\s+POST webhook → HTTP 200/.test(l));
    expect(lines[second]).toMatch(/^FAIL/);
    expect(lines[second + 1]).toMatch(/violation at \$\.result\[0\]\.IS_PRIMARY/);
    expect(run.stdout).toMatch(/FAIL\s+crm\.lead\.contact\.items\.get\s+POST webhook → HTTP 500\n\s+violation at \(header content-type\)/);
    expect(run.stdout).toMatch(/FAIL\s+crm\.lead\.contact\.add\s+POST webhook → HTTP 200\n\s+violation at request \$\.fields\.IS_PRIMARY/);
    expect(run.stdout).toMatch(/FAIL\s+crm\.lead\.contact\.items\.get\s+POST webhook → HTTP 400\n\s+violation at request \$\.id/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_CODE);
    expect(run.code).toBe(1);
  });
});

/**
 * Sends raw bytes to the proxy and reads what comes back until the proxy closes or one complete answer
 * (its head and Content-Length bytes) has arrived: events, not a time budget a busy machine could miss.
 */
function rawRequest(url: string, bytes: string, { destroyAfterWrite = false } = {}): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(bytes);
      if (destroyAfterWrite) setTimeout(() => socket.destroy(), 50);
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = answer.slice(0, end);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const body = answer.slice(end + 4);
      const complete = length
        ? Buffer.byteLength(body) >= Number(length[1])
        : /\r\ntransfer-encoding: *chunked/i.test(head)
          ? body.endsWith('0\r\n\r\n')
          : true;
      if (complete) socket.destroy();
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

describe('npm run verify -- --proxy under hostile traffic (hardening #2, #3)', () => {
  it('talks only to the configured portal: absolute-form, authority-form and //host paths never reach another server', async () => {
    portal = await startFakePortal();
    const other = await startFakePortal();
    onTestFinished(() => other.close());
    const proxy = await startVerifyProxy({ B24_WEBHOOK_URL: `${portal.url}/rest/1/${WEBHOOK_CODE}/` });
    onTestFinished(() => void proxy.child.kill('SIGKILL'));
    const otherHost = new URL(other.url).host;

    const absolute = await rawRequest(
      proxy.url,
      `GET ${other.url}/rest/1/${WEBHOOK_CODE}/crm.lead.contact.fields HTTP/1.1\r\nHost: ${otherHost}\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute).toMatch(/^HTTP\/1\.1 400/);
    expect(absolute).toContain('"error_description":"Only origin-form request targets');
    const authority = await rawRequest(proxy.url, `CONNECT ${otherHost} HTTP/1.1\r\nHost: ${otherHost}\r\n\r\n`);
    expect(authority).toMatch(/^HTTP\/1\.1 400/);
    const doubleSlash = await fetch(`${proxy.url}//${otherHost}/rest/1/${WEBHOOK_CODE}/crm.lead.contact.fields`, { method: 'POST', body: '{}' });
    expect(doubleSlash.status).toBe(401); // reached the configured portal, whose path it is not
    expect(other.calls).toEqual([]);

    const run = await proxy.stop();
    expect(run.stdout).toMatch(/\d+ checked/);
  });

  it('turns an unreadable redirect, a cut answer and an app that leaves mid-body into 502s and report lines, and keeps serving', async () => {
    portal = await startFakePortal();
    const proxy = await startVerifyProxy({ B24_WEBHOOK_URL: `${portal.url}/rest/1/${WEBHOOK_CODE}/` });
    onTestFinished(() => void proxy.child.kill('SIGKILL'));
    const base = `${proxy.url}/rest/1/${WEBHOOK_CODE}`;

    const redirect = await fetch(`${base}/crm.lead.contact.items.get`, {
      method: 'POST',
      body: '{"id":7}',
      headers: { 'content-type': 'application/json' },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302); // relayed as it came
    const cut = await post(`${base}/crm.lead.contact.items.get`, { id: 8 });
    expect(cut.status).toBe(502);
    expect(await cut.json()).toMatchObject({ error: 'PROXY_ERROR' });
    await rawRequest(
      proxy.url,
      `POST /rest/1/${WEBHOOK_CODE}/crm.lead.contact.add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":1,`,
      { destroyAfterWrite: true },
    );
    const after = await post(`${base}/crm.lead.contact.items.get`, { id: 1 });
    expect(after.status).toBe(200);

    const run = await proxy.stop();
    expect(run.stdout).toMatch(
      /FAIL\s+crm\.lead\.contact\.items\.get\s+POST webhook → HTTP 302\n\s+violation at \(status\): HTTP 302 is not a documented answer of crm\.lead\.contact\.items\.get; redirected to an unreadable address/,
    );
    expect(run.stdout).toMatch(/FAIL\s+crm\.lead\.contact\.items\.get\s+POST forward failed/);
    expect(run.stdout).toMatch(/\d+ checked, \d+ passed, \d+ with violations\./);
    expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_CODE);
  });
});
