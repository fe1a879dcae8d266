// Issue 26: in-portal apps run in the sandbox's frame host in Chromium. The host page is on the
// sandbox's origin (127.0.0.1), the apps on a stand-in dev server (localhost) or a static folder
// (another 127.0.0.1 port). Every wait is on an event or a page condition, never a fixed time.
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAppFolder, startSandbox, type AppFolder, type RunningSandbox } from '../../src/node/sandbox.js';
import type { FrameHostHandle } from '../../src/sandbox/frame-host-script.js';
import { hasChromium, launchChromium, requireChromium } from '../support/chromium.js';
import { appFrame, buildLeadTabExample, startAppServer, type AppServer } from '../support/frame-apps.js';

requireChromium('the frame host in a real browser');

declare global {
  interface Window {
    frameHost: FrameHostHandle;
    received: string[];
    /** The official SDK's B24Frame, used untyped as a plain-JS app would. */
    sdkApp: any;
    sdk: Promise<unknown>;
    frame: import('../../src/frame.js').FrameConnection;
    connected: Promise<unknown>;
    failure: unknown;
    ours: { createBitrix24Client: typeof import('../../src/index.js').createBitrix24Client };
  }
}

const LEAD_TAB = { placement: 'CRM_LEAD_DETAIL_TAB', options: { ID: '1' } };

describe.skipIf(!hasChromium)('the frame host in a real browser', () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  let apps: AppServer;
  let folder: AppFolder;
  /** Everything any page printed to its console, to show no token ever is. */
  const consoleText: string[] = [];
  /** Every token a frame was given, collected by the tests. */
  const tokens = new Set<string>();

  beforeAll(async () => {
    [browser, sandbox, apps] = await Promise.all([launchChromium(), startSandbox(), startAppServer()]);
    folder = await serveAppFolder(await buildLeadTabExample());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([sandbox?.close(), apps?.close(), folder?.close()]);
  });

  /** Opens the frame host for an app in a fresh page. */
  async function host(url: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => consoleText.push(message.text()));
    await page.goto(url);
    return page;
  }
  const logOf = (page: Page) => page.evaluate(() => window.frameHost.log);
  const commandsOf = async (page: Page, command: string) => (await logOf(page)).filter((entry) => entry.command === command);
  const tokenOf = async (frame: Frame, read: () => string) => {
    const token = await frame.evaluate(read);
    tokens.add(token);
    return token;
  };
  const callWith = (token: string) =>
    fetch(`${sandbox.url}/rest/crm.lead.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, auth: token }),
    }).then(async (response) => ({ status: response.status, body: await response.json() }));

  describe('an unmodified app on the official SDK (initializeB24Frame)', () => {
    let page: Page;
    let frame: Frame;
    beforeAll(async () => {
      const options = new URLSearchParams({ userOptions: '{"theme":"dark"}', appOptions: '{"mode":"full"}' });
      page = await host(`${sandbox.frameUrl(apps.url('/sdk/'), LEAD_TAB)}&${options}`);
      frame = await appFrame(page, /\/sdk\//, () => window.sdkApp);
    });

    it("gets the portal's form by POST and a frame named {host:port}|0|{APP_SID}", async () => {
      const appSid = await page.evaluate(() => window.frameHost.appSid);
      expect(appSid).toMatch(/^[0-9a-f]{32}$/);
      expect(await frame.evaluate(() => window.name)).toBe(`${new URL(sandbox.url).host}|0|${appSid}`);
      const post = apps.posts.find((p) => p.path === '/sdk/')!;
      expect(Object.keys(post.fields).sort()).toEqual(
        ['AUTH_EXPIRES', 'AUTH_ID', 'PLACEMENT', 'PLACEMENT_OPTIONS', 'REFRESH_ID', 'SERVER_ENDPOINT', 'member_id', 'status'].sort(),
      );
      expect(post.fields).toMatchObject({ PLACEMENT: 'CRM_LEAD_DETAIL_TAB', PLACEMENT_OPTIONS: '{"ID":"1"}', AUTH_EXPIRES: '3600' });
      expect(new URL(frame.url()).searchParams.get('APP_SID')).toBe(appSid);
    });

    it('initialises and sees its placement, options and portal', async () => {
      const seen = await frame.evaluate(() => ({
        placement: window.sdkApp.placement.placement,
        options: window.sdkApp.placement.options,
        origin: window.sdkApp.getTargetOrigin(),
        appSid: window.sdkApp.getAppSid(),
      }));
      expect(seen).toEqual({
        placement: 'CRM_LEAD_DETAIL_TAB',
        options: { ID: '1' },
        origin: sandbox.url,
        appSid: await page.evaluate(() => window.frameHost.appSid),
      });
    });

    it('calls REST on the sandbox, refreshes through the parent when its token expires, and calls again', async () => {
      const call = () =>
        frame.evaluate(() =>
          window.sdkApp.callMethod('crm.lead.get', { id: 1 }).then((r: { getData: () => { result: { TITLE: string } } }) => r.getData().result.TITLE),
        );
      const title = await call();
      expect(title).toBe(sandbox.lead(1)!.fields.TITLE);
      const old = await tokenOf(frame, () => window.sdkApp.auth.getAuthData().access_token);
      sandbox.expireToken(old);
      // One call: how the SDK pools 401s of calls in flight is its own business, not the host's.
      expect(await call()).toBe(title);
      expect(await commandsOf(page, 'refreshAuth')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
      const fresh = await tokenOf(frame, () => window.sdkApp.auth.getAuthData().access_token);
      expect(fresh).not.toBe(old);
      expect(await callWith(old)).toMatchObject({ status: 401, body: { error: 'expired_token' } });
      expect(sandbox.calls.at(-2)).toMatchObject({ method: 'crm.lead.get', status: 200 });
    });

    it('hands over user and app options, and answers setting them', async () => {
      expect(await frame.evaluate(() => [window.sdkApp.options.userGet('theme'), window.sdkApp.options.appGet('mode')])).toEqual(['dark', 'full']);
      await frame.evaluate(() => Promise.all([window.sdkApp.options.userSet('theme', 'light'), window.sdkApp.options.appSet('mode', 'compact')]));
      expect(await commandsOf(page, 'setUserOption')).toEqual([expect.objectContaining({ outcome: 'answered', params: { name: 'theme', value: 'light' } })]);
      expect(await commandsOf(page, 'setAppOption')).toEqual([expect.objectContaining({ outcome: 'answered', params: { name: 'mode', value: 'compact' } })]);
    });

    it('answers fitWindow, getInterface and reloadData, and drops setTitle on a card tab', async () => {
      const answers = await frame.evaluate(async () => ({
        fit: await window.sdkApp.parent.fitWindow(),
        face: await window.sdkApp.placement.getInterface(),
        reload: await window.sdkApp.placement.call('reloadData'),
      }));
      expect(answers.fit).toEqual({ width: expect.any(Number), height: expect.any(Number) });
      expect(answers.face).toEqual({ command: ['reloadData'], event: [] });
      expect(await page.evaluate(() => window.frameHost.reloads)).toBe(1);
      // The SDK waits 900 ms for an answer that never comes; the host's log says at once what it did.
      void frame.evaluate(() => void window.sdkApp.parent.setTitle('a:b'));
      await page.waitForFunction(() => window.frameHost.log.some((entry) => entry.command === 'setTitle'));
      expect(await commandsOf(page, 'setTitle')).toEqual([expect.objectContaining({ outcome: 'denied', params: { title: 'a:b' } })]);
    });

    describe('who the host answers', () => {
      let appSid: string;
      beforeAll(async () => {
        appSid = await page.evaluate(() => window.frameHost.appSid);
      });
      /** Posts a raw message from the app's frame to the host, as the SDK does. */
      const post = (message: string) => frame.evaluate((m) => parent.postMessage(m, '*'), message);
      const answered = (id: string) => frame.waitForFunction((i) => window.received.includes(i), id);
      const received = () => frame.evaluate(() => window.received);

      it('answers the right APP_SID and ignores a wrong one (checked once a later probe is answered)', async () => {
        await post(`getInitData::probe-wrong-sid:${'0'.repeat(32)}`);
        await post(`getInitData::probe-right-1:${appSid}`);
        await answered('probe-right-1');
        expect(await received()).not.toContain('probe-wrong-sid');
        expect(await commandsOf(page, 'getInitData')).toContainEqual(
          expect.objectContaining({ callback: 'probe-wrong-sid', outcome: 'ignored', note: 'wrong APP_SID' }),
        );
      });

      it('ignores a message from another origin, even with the right APP_SID', async () => {
        await frame.evaluate(
          ({ url }) => {
            const child = document.createElement('iframe');
            child.src = url;
            document.body.append(child);
          },
          { url: `${apps.url('/foreign/', true)}#${encodeURIComponent(`getInitData::probe-foreign:${appSid}`)}` },
        );
        await page.waitForFunction(() => window.frameHost.log.some((entry) => entry.callback === 'probe-foreign'));
        await post(`getInitData::probe-right-2:${appSid}`);
        await answered('probe-right-2');
        expect(await received()).not.toContain('probe-foreign');
        expect(await commandsOf(page, 'getInitData')).toContainEqual(
          expect.objectContaining({ callback: 'probe-foreign', outcome: 'ignored', note: `origin ${new URL(apps.url('/', true)).origin}` }),
        );
      });

      it('never answers a messenger command, and answers the next command after it', async () => {
        await post(`imOpenMessenger:{"dialogId":"1"}:probe-im:${appSid}`);
        await post(`getInterface::probe-right-3:${appSid}`);
        await answered('probe-right-3');
        expect(await received()).not.toContain('probe-im');
      });
    });
  });

  describe('FIRST_RUN', () => {
    it('goes through setInstall (the SDK waits for its answer), and installFinish is recorded unanswered', async () => {
      const page = await host(`${sandbox.frameUrl(apps.url('/sdk/'))}&install=1`);
      const frame = await appFrame(page, /\/sdk\//, () => window.sdkApp);
      expect(await frame.evaluate(() => [window.sdkApp.isFirstRun, window.sdkApp.isInstallMode])).toEqual([true, true]);
      expect(await commandsOf(page, 'setInstall')).toEqual([expect.objectContaining({ outcome: 'answered', params: { install: true } })]);
      void frame.evaluate(() => void window.sdkApp.installFinish());
      await page.waitForFunction(() => window.frameHost.installed);
      expect(await commandsOf(page, 'setInstallFinish')).toEqual([expect.objectContaining({ outcome: 'unanswered' })]);
    });
  });

  describe('an app on b24-lead-contact/frame', () => {
    let page: Page;
    let frame: Frame;
    beforeAll(async () => {
      page = await host(sandbox.frameUrl(apps.url('/ours/'), LEAD_TAB));
      frame = await appFrame(page, /\/ours\//, () => window.frame);
    });

    it('connects: the placement, its options and a connection for the typed client', async () => {
      const seen = await frame.evaluate(() => ({ placement: window.frame.placement, portal: window.frame.connection.portal, lang: window.frame.lang }));
      expect(seen).toEqual({ placement: { name: 'CRM_LEAD_DETAIL_TAB', options: { ID: '1' } }, portal: sandbox.url, lang: 'en' });
    });

    it('calls through the typed client, refreshes once for concurrent calls when the token expires, and calls again', async () => {
      const old = await tokenOf(frame, () => window.frame.connection.accessToken);
      const titles = () =>
        frame.evaluate(async () => {
          const client =
            (window as unknown as { client?: ReturnType<Window['ours']['createBitrix24Client']> }).client ??
            ((window as unknown as { client: ReturnType<Window['ours']['createBitrix24Client']> }).client = window.ours.createBitrix24Client(
              window.frame.connection,
            ));
          const id = Number(window.frame.placement.options.ID);
          return Promise.all([1, 2, 3].map(async () => (await client.crm.lead.get({ id })).TITLE));
        });
      const title = sandbox.lead(1)!.fields.TITLE;
      expect(await titles()).toEqual([title, title, title]);
      sandbox.expireToken(old);
      expect(await titles()).toEqual([title, title, title]);
      expect(await commandsOf(page, 'refreshAuth')).toHaveLength(1);
      const fresh = await tokenOf(frame, () => window.frame.connection.accessToken);
      expect(fresh).not.toBe(old);
      expect(await callWith(old)).toMatchObject({ status: 401, body: { error: 'expired_token' } });
      expect(await callWith(fresh)).toMatchObject({ status: 200 });
    });

    it('refuses to start outside a frame, with a clear error', async () => {
      const top = await browser.newPage();
      await top.goto(apps.url('/ours/'));
      await top.waitForFunction(() => window.failure);
      expect(await top.evaluate(() => String(window.failure))).toMatch(
        /^TypeError: connectFrame: this page is not inside a Bitrix24 app frame \(it has no parent window\)/,
      );
      await top.close();
    });

    it('shares a frame with the official SDK: both connect, each reads its own answers', async () => {
      const both = await host(sandbox.frameUrl(apps.url('/both/'), LEAD_TAB));
      const inner = await appFrame(both, /\/both\//, () => window.sdkApp && window.frame);
      expect(await inner.evaluate(() => [window.sdkApp.placement.placement, window.frame.placement.name])).toEqual([
        'CRM_LEAD_DETAIL_TAB',
        'CRM_LEAD_DETAIL_TAB',
      ]);
      expect(await commandsOf(both, 'getInitData')).toHaveLength(2);
      await both.close();
    });
  });

  describe('a static folder: examples/lead-card-tab, built as npm run example:lead-tab builds it', () => {
    it('opens with GET, connects, reads the lead and its contacts through the typed client, and sizes its tab', async () => {
      const page = await host(sandbox.frameUrl(folder.url, { ...LEAD_TAB, mode: 'get' }));
      const frame = await appFrame(page, new RegExp(`^${folder.url}`), () => document.querySelector('h2'));
      const shown = await frame.evaluate(() => ({
        title: document.querySelector('h2')!.textContent,
        items: [...document.querySelectorAll('li')].map((li) => li.textContent),
      }));
      expect(shown.title).toBe(sandbox.lead(1)!.fields.TITLE);
      expect(shown.items).toHaveLength(sandbox.lead(1)!.contacts.length);
      expect(shown.items[0]).toMatch(/\(primary\)$/);
      await page.waitForFunction(() => window.frameHost.log.some((entry) => entry.command === 'resizeWindow'));
      expect(await commandsOf(page, 'resizeWindow')).toEqual([expect.objectContaining({ outcome: 'answered' })]);
      expect(new URL(frame.url()).searchParams.get('DOMAIN')).toBe(new URL(sandbox.url).host);
    });
  });

  describe('secrets', () => {
    it('puts no token in the host log, on the host page or in any console', async () => {
      expect(tokens.size).toBeGreaterThanOrEqual(4);
      const pages = browser.contexts().flatMap((context) => context.pages());
      const shown = await Promise.all(
        pages.map((p) => p.evaluate(() => (window.frameHost ? JSON.stringify(window.frameHost.log) + document.querySelector('aside')!.textContent : ''))),
      );
      for (const token of tokens) {
        for (const text of [...shown, ...consoleText]) expect(text.includes(token)).toBe(false);
      }
    });
  });
});
