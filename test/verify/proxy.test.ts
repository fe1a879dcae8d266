// `npm run verify -- --proxy`: a local proxy in front of the (fake) portal that forwards the app's
// calls unchanged and reports each contract violation in requests and answers.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startFakePortal, WEBHOOK_CODE, type FakePortal } from './fake-portal.js';
import { startVerifyProxy } from './run.js';

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

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
