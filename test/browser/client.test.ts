// Runs the client in Chromium: src/ bundled by esbuild for the browser platform (a Node built-in
// would fail the build), served from a second loopback origin, calling the mock across CORS.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserApp, type BrowserApp } from '../support/browser-app.js';
import { mockUrl, WEBHOOK_CODE, ACCESS_TOKEN } from '../support/helpers.js';
import { hasChromium, requireChromium } from '../support/chromium.js';

requireChromium('the client in a real browser');

/** The page's script: the package's public surface on `window.b24`, plus a fetch that records what leaves the page. */
const APP = `
import * as b24 from './src/index.ts';
const sent = [];
const recordingFetch = (prefer) => async (input, init) => {
  const request = new Request(input, init);
  if (prefer) request.headers.set('Prefer', prefer);
  sent.push({ url: request.url, body: await request.clone().text() });
  return fetch(request);
};
window.b24 = { ...b24, recordingFetch, sent };
`;

declare global {
  interface Window {
    b24: typeof import('../../src/index.js') & {
      recordingFetch: (prefer?: string) => typeof fetch;
      sent: Array<{ url: string; body: string }>;
    };
  }
}

describe.skipIf(!hasChromium)('the client in a real browser', () => {
  let app: BrowserApp;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    app = await openBrowserApp(APP, { ready: () => Boolean(window.b24) });
    ({ page, pageErrors } = app);
  }, 60_000);

  afterAll(() => app?.close());

  it('links a contact through the webhook form and reads the links back', async () => {
    const result = await page.evaluate(
      async ({ webhookUrl }) => {
        const client = window.b24.createBitrix24Client({ webhookUrl, allowInsecureHttp: true });
        const added = await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' } });
        const items = await client.crm.lead.contact.items.get({ id: 1 });
        return { added, isArray: Array.isArray(items), first: items[0] };
      },
      { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/` },
    );
    expect(result).toMatchObject({ added: true, isArray: true, first: { CONTACT_ID: expect.any(Number), IS_PRIMARY: expect.stringMatching(/^[YN]$/) } });
  });

  it('sends the OAuth token in the body, not the URL', async () => {
    const result = await page.evaluate(
      async ({ portal }) => {
        const { createBitrix24Client, recordingFetch, sent } = window.b24;
        sent.length = 0;
        const client = createBitrix24Client({ portal, accessToken: 'browser-oauth-token-1234', allowInsecureHttp: true, fetch: recordingFetch() });
        const added = await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
        return { added, sent: [...sent] };
      },
      { portal: mockUrl() },
    );
    expect(result.added).toBe(true);
    expect(result.sent).toHaveLength(1);
    expect(result.sent[0]!.url).toBe(`${mockUrl()}/rest/crm.lead.contact.add`);
    expect(JSON.parse(result.sent[0]!.body)).toMatchObject({ auth: 'browser-oauth-token-1234' });
  });

  it('throws a documented error as a Bitrix24Error that holds no secret', async () => {
    const failure = await page.evaluate(
      async ({ webhookUrl }) => {
        const { createBitrix24Client, isBitrix24Error, recordingFetch } = window.b24;
        const client = createBitrix24Client({ webhookUrl, allowInsecureHttp: true, retry: false, fetch: recordingFetch('code=400, example=leadNotFound') });
        try {
          await client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } });
          return null;
        } catch (error) {
          return { guard: isBitrix24Error(error), json: JSON.stringify(error), stack: String((error as Error).stack) };
        }
      },
      { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/` },
    );
    expect(failure?.guard).toBe(true);
    expect(JSON.parse(failure!.json)).toMatchObject({ name: 'Bitrix24Error', status: 400, code: 'NOT_FOUND', method: 'crm.lead.contact.add' });
    expect(failure!.json + failure!.stack).not.toContain(WEBHOOK_CODE);
  });

  it('stops a call through its AbortSignal', async () => {
    const code = await page.evaluate(
      async ({ portal, token }) => {
        const client = window.b24.createBitrix24Client({ portal, accessToken: token, allowInsecureHttp: true });
        const controller = new AbortController();
        controller.abort();
        return client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }, { signal: controller.signal }).catch((error) => error.code);
      },
      { portal: mockUrl(), token: ACCESS_TOKEN },
    );
    expect(code).toBe('ABORTED');
  });

  it('runs a typed batch', async () => {
    const outcome = await page.evaluate(
      async ({ webhookUrl }) => {
        const { batch, createBitrix24Client, cmd } = window.b24;
        const client = createBitrix24Client({ webhookUrl, allowInsecureHttp: true });
        // The key matches the contract's default batch example: the mock answers from it, statelessly.
        const out = await batch(client, { link_1010: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } }) });
        return out.link_1010.ok;
      },
      { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/` },
    );
    expect(outcome).toBe(true);
  });

  it('stops reading an answer larger than maxResponseBytes, counting the web stream itself', async () => {
    const result = await page.evaluate(
      async ({ webhookUrl }) => {
        const { createBitrix24Client } = window.b24;
        // Without Content-Length the cap can only be enforced by counting the stream as it arrives.
        const unsized: typeof fetch = async (input, init) => {
          const response = await fetch(input, init);
          const headers = new Headers(response.headers);
          headers.delete('content-length');
          return new Response(response.body, { status: response.status, headers });
        };
        const capped = createBitrix24Client({ webhookUrl, allowInsecureHttp: true, retry: false, maxResponseBytes: 64, fetch: unsized });
        const roomy = createBitrix24Client({ webhookUrl, allowInsecureHttp: true, retry: false, fetch: unsized });
        return {
          capped: await capped.crm.lead.contact.fields().then(
            () => 'read',
            (error) => `${error.code} ${error.retryable}`,
          ),
          roomy: await roomy.crm.lead.contact.fields().then((fields) => typeof fields),
        };
      },
      { webhookUrl: `${mockUrl()}/rest/1/${WEBHOOK_CODE}/` },
    );
    expect(result).toEqual({ capped: 'RESPONSE_TOO_LARGE false', roomy: 'object' });
  });

  it('throws no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
