// The browser entry of the sandbox with MSW's service worker in Chromium: the client in the page calls
// its real portal address, and the worker answers from an in-process sandbox, with no server behind it.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { hasChromium, requireChromium } from '../support/chromium.js';

requireChromium('the sandbox with MSW in a real browser');

/** The page's script: the sandbox's browser entry, the MSW handlers and the client. */
const APP = `
import { setupWorker } from 'msw/browser';
import { createBitrix24Client } from './src/index.ts';
import { sandboxHandlers } from './src/msw.ts';
import { createSandbox, startSandbox } from './src/sandbox/browser.ts';
const sandbox = createSandbox();
const worker = setupWorker(...sandboxHandlers(sandbox));
window.app = { sandbox, createBitrix24Client, startSandbox, ready: worker.start({ quiet: true, onUnhandledRequest: 'bypass' }) };
`;

declare global {
  interface Window {
    app: {
      sandbox: import('../../src/sandbox/sandbox.js').Sandbox;
      createBitrix24Client: typeof import('../../src/index.js').createBitrix24Client;
      startSandbox: typeof import('../../src/sandbox/browser.js').startSandbox;
      ready: Promise<unknown>;
    };
  }
}

describe.skipIf(!hasChromium)('the sandbox with MSW in a real browser', () => {
  let app: BrowserApp;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    const workerScript = readFileSync(new URL('../../node_modules/msw/lib/mockServiceWorker.js', import.meta.url));
    app = await openBrowserApp(APP, {
      files: { '/mockServiceWorker.js': { type: 'text/javascript', body: workerScript } },
      ready: () => Boolean(window.app),
    });
    ({ page, pageErrors } = app);
    await page.evaluate(() => window.app.ready);
  }, 60_000);

  afterAll(() => app?.close());

  it('answers the client at its real portal address from the sandbox, keeping state between calls', async () => {
    const result = await page.evaluate(async () => {
      const { sandbox, createBitrix24Client } = window.app;
      sandbox.reset();
      const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/browser-code/', retry: false });
      const added = await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } });
      const links = await client.crm.lead.contact.items.get({ id: 2 });
      const failure = await client.crm.lead.contact.items.get({ id: 404 }).catch((error) => [error.status, error.code]);
      return { added, links, failure, journal: sandbox.calls.map((call) => call.method) };
    });
    expect(result).toEqual({
      added: true,
      links: [{ CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }],
      failure: [400, 'NOT_FOUND'],
      journal: ['crm.lead.contact.add', 'crm.lead.contact.items.get', 'crm.lead.contact.items.get'],
    });
  });

  it("answers an OAuth client through the JS SDK's /rest//method form", async () => {
    const answer = await page.evaluate(async () => {
      window.app.sandbox.reset();
      const response = await fetch('https://example.bitrix24.com/rest//crm.lead.contact.items.get', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, auth: 'browser-token' }),
      });
      return { status: response.status, links: (await response.json()).result.length };
    });
    expect(answer).toEqual({ status: 200, links: 2 });
  });

  it('has a startSandbox that explains it needs Node', async () => {
    const message = await page.evaluate(() => window.app.startSandbox().catch((error: Error) => error.message));
    expect(message).toMatch(/^startSandbox needs Node \(node:http\) and is not available in a browser; use createSandbox\(\)/);
  });

  it('throws no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
