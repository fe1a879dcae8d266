// Issue 16 #7 in a real browser: a page served from another loopback origin (or reaching the sandbox
// through a rebound DNS name) tries to read, re-seed and delete a portal through the admin API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { CHROMIUM, hasChromium, requireChromium } from '../support/chromium.js';

requireChromium('the admin API against pages of other origins');

/** What the victim's test wrote: personal data a page must never read. */
const CUSTOMER = 'Anna Ivanova +7 912 555-01-23';
const VICTIM_SEED = { leads: [{ id: 7, contacts: [70] }], contacts: [70] };
/** A name an attacker's DNS answers with 127.0.0.1 after the page loaded (DNS rebinding). */
const REBOUND = 'rebind.attacker.test';

describe.skipIf(!hasChromium)('the admin API against pages of other origins', () => {
  let sandbox: RunningSandbox;
  let browser: Browser;
  let page: Page;
  let attacker: Server;

  const victimIntact = () => {
    const victim = sandbox.portal('victim');
    return { lead: victim.lead(7) !== undefined, journal: victim.calls.some((call) => JSON.stringify(call.params).includes(CUSTOMER)) };
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.portal('victim').reset(VICTIM_SEED);
    const added = await fetch(`${sandbox.url}/rest/1/victim/crm.lead.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { TITLE: CUSTOMER } }),
    });
    expect(added.status).toBe(200);
    attacker = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>attacker</title><iframe name="sink"></iframe>'),
    );
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // The launcher's flags plus one rule: the rebound name resolves to loopback, as after a rebinding.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await sandbox?.close();
  });

  it('regression (issue 16 #7): a page of another loopback port cannot read the journal', async () => {
    expect(victimIntact()).toEqual({ lead: true, journal: true });
    const seen = await page.evaluate(async (url) => {
      try {
        return await (await fetch(url)).text();
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    }, `${sandbox.adminUrl}calls?portal=victim`);
    expect(seen).toBe('refused: TypeError');
  });

  it('regression (issue 16 #7): a text/plain fetch POST (no preflight) cannot re-seed, a DELETE cannot remove', async () => {
    const outcome = await page.evaluate(
      async ({ adminUrl }) => {
        const seed = await fetch(`${adminUrl}seed?portal=victim`, {
          method: 'POST',
          mode: 'no-cors',
          headers: { 'content-type': 'text/plain' },
          body: '{"leads":[],"contacts":[]}',
        });
        let removed: string;
        try {
          removed = String((await fetch(`${adminUrl}portal?portal=victim`, { method: 'DELETE' })).status);
        } catch (error) {
          removed = `refused: ${(error as Error).name}`;
        }
        return { seedType: seed.type, removed };
      },
      { adminUrl: sandbox.adminUrl },
    );
    expect(outcome).toEqual({ seedType: 'opaque', removed: 'refused: TypeError' });
    expect(victimIntact()).toEqual({ lead: true, journal: true });
  });

  it('regression (issue 16 #7): a form POST (text/plain, a navigation) cannot re-seed either', async () => {
    await page.evaluate((action) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.enctype = 'text/plain';
      form.action = action;
      form.target = 'sink';
      const input = document.createElement('input');
      input.name = '{"leads":[],"contacts":[],"x":"';
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      const loaded = new Promise((resolve) => document.querySelector('iframe')!.addEventListener('load', resolve, { once: true }));
      form.submit();
      return loaded;
    }, `${sandbox.adminUrl}seed?portal=victim`);
    expect(victimIntact()).toEqual({ lead: true, journal: true });
  });

  it('regression (issue 16 #7): a rebound DNS name for 127.0.0.1 gets 403 SANDBOX_HOST_REFUSED, even from its own origin', async () => {
    const rebound = await browser.newPage();
    try {
      const navigation = await rebound.goto(`http://${REBOUND}:${sandbox.port}/__sandbox/calls?portal=victim`);
      expect(navigation?.status()).toBe(403);
      const body = await rebound.evaluate(async () => (await fetch('/__sandbox/calls?portal=victim')).text());
      expect(JSON.parse(body).error).toBe('SANDBOX_HOST_REFUSED');
      expect(`${await rebound.content()}${body}`).not.toContain(CUSTOMER);
    } finally {
      await rebound.close();
    }
    expect(victimIntact()).toEqual({ lead: true, journal: true });
  });

  it('still lets the page call the Bitrix24 routes across origins, as browser apps under development do', async () => {
    const status = await page.evaluate(
      async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":7}' })).status,
      `${sandbox.url}/rest/1/other-app/crm.lead.contact.items.get`,
    );
    expect(status).toBe(400); // read across origins: lead 7 is not in this app's fresh portal
  });
});
