// Issue 26: the frame host's routes over HTTP (GET /__sandbox/frame, POST /__sandbox/frame/refresh):
// what the page carries, who may open it, the checked query, and the token pair behind it. The page in
// a browser, with real apps, is test/browser/frame-host.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import type { FrameHostConfig } from '../../src/sandbox/frame-host-script.js';
import { FrameSessions } from '../../src/sandbox/frame-sessions.js';
import { postJson, send } from '../support/contract-answer.js';
import { RawConnection } from '../support/raw-http.js';

const APP = 'http://localhost:5173/';
const LEAD_GET = 'crm.lead.get';
const ADMIN_TOKEN = 'a-frame-test-admin-token-0123';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

/** Opens the host page and reads the configuration the server wrote into it. */
async function openFrame(url = sandbox.frameUrl(APP)) {
  const page = await fetch(url);
  const html = await page.text();
  const json = /runFrameHost\((\{.*\})\);/.exec(html)?.[1];
  return { page, html, config: json === undefined ? undefined : (JSON.parse(json) as FrameHostConfig) };
}
const refresh = (appSid: string, refreshToken: string, url = sandbox.url) => postJson(`${url}/__sandbox/frame/refresh`, { appSid, refreshToken });
const leadWith = (token: string, url = sandbox.url) => postJson(`${url}/rest/${LEAD_GET}`, { id: 1, auth: token }, LEAD_GET);

describe('GET /__sandbox/frame', () => {
  it('answers a page no other page may frame or cache, with a new APP_SID and token pair each time', async () => {
    const first = await openFrame(sandbox.frameUrl(APP, { placement: 'CRM_LEAD_DETAIL_TAB', options: { ID: '1' }, lang: 'ru' }));
    const second = await openFrame();
    expect(first.page.status).toBe(200);
    expect(first.page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(first.page.headers.get('x-frame-options')).toBe('DENY');
    expect(first.page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(first.page.headers.get('cache-control')).toBe('no-store');
    expect(first.page.headers.get('access-control-allow-origin')).toBeNull();
    expect(first.config).toMatchObject({
      appUrl: APP,
      appOrigin: 'http://localhost:5173',
      appSid: expect.stringMatching(/^[0-9a-f]{32}$/),
      placement: 'CRM_LEAD_DETAIL_TAB',
      placementOptions: { ID: '1' },
      lang: 'ru',
      mode: 'post',
      auth: { AUTH_ID: expect.stringMatching(/^[0-9a-f]{32}$/), AUTH_EXPIRES: '3600', REFRESH_ID: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    expect(second.config!.appSid).not.toBe(first.config!.appSid);
    expect(second.config!.auth.AUTH_ID).not.toBe(first.config!.auth.AUTH_ID);
  });

  it('escapes what the query puts into the page', async () => {
    const { html } = await openFrame(sandbox.frameUrl(`${APP}?q=</script><script>alert(1)</script>`, { options: { x: '</script>' } }));
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it.each([
    ['no app', '', /app is required/],
    ['a relative app', 'app=/app', /app must be an absolute http:\/\/ or https:\/\/ URL/],
    ['another scheme', 'app=ftp://x/', /app must be an absolute http:\/\/ or https:\/\/ URL/],
    ['credentials in the app URL', 'app=http://u:p@localhost/', /without user name or password/],
    ['a placement in small letters', `app=${APP}&placement=crm_lead`, /placement must be a placement code in capitals/],
    ['options that are not JSON', `app=${APP}&options={ID:1}`, /options must be a JSON object.*not valid JSON/],
    ['options that are an array', `app=${APP}&options=[1]`, /options must be a JSON object/],
    ['a three-letter lang', `app=${APP}&lang=eng`, /lang must be a two-letter language code/],
    ['an unknown mode', `app=${APP}&mode=put`, /mode must be post .* or get/],
    ['firstRun that is not 1 or 0', `app=${APP}&firstRun=yes`, /firstRun must be 1 or 0/],
    ['userOptions that are not an object', `app=${APP}&userOptions="x"`, /userOptions must be a JSON object/],
  ])('refuses %s with a 400 naming the parameter', async (_label, query, message) => {
    const answer = await send(`${sandbox.url}/__sandbox/frame?${query.replace(/[{}[\]"<> ]/g, encodeURIComponent)}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(message);
  });

  it('is refused to a Host that does not name this server and to a page of another origin, as the admin API is', async () => {
    const connection = new RawConnection(sandbox.port);
    try {
      await connection.write(
        `GET /__sandbox/frame?app=${encodeURIComponent(APP)} HTTP/1.1\r\nhost: rebind.example:${sandbox.port}\r\nconnection: close\r\n\r\n`,
      );
      const answer = await connection.answer();
      expect([answer.status, answer.body.error]).toEqual([403, 'SANDBOX_HOST_REFUSED']);
    } finally {
      connection.destroy();
    }
    const crossSite = await send(sandbox.frameUrl(APP), { headers: { 'sec-fetch-site': 'cross-site' } });
    expect([crossSite.status, crossSite.body.error]).toEqual([403, 'SANDBOX_CROSS_ORIGIN']);
  });

  it('requires the admin token when the sandbox was given one', async () => {
    const guarded = await startSandbox({ adminToken: ADMIN_TOKEN });
    try {
      expect((await send(guarded.frameUrl(APP))).body.error).toBe('SANDBOX_TOKEN_REQUIRED');
      const page = await fetch(guarded.frameUrl(APP), { headers: { 'x-sandbox-token': ADMIN_TOKEN } });
      expect(page.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe("the frame's token pair", () => {
  it('is accepted by the portal; refresh gives a new pair and retires the old token and refresh token', async () => {
    const { config } = await openFrame();
    const { appSid, auth } = config!;
    expect((await leadWith(auth.AUTH_ID)).status).toBe(200);
    const renewed = await refresh(appSid, auth.REFRESH_ID);
    expect(renewed.body.result).toEqual({
      AUTH_ID: expect.stringMatching(/^[0-9a-f]{32}$/),
      AUTH_EXPIRES: '3600',
      REFRESH_ID: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect((await leadWith(renewed.body.result.AUTH_ID)).status).toBe(200);
    expect(await leadWith(auth.AUTH_ID)).toMatchObject({ status: 401, body: { error: 'expired_token' } });
    const spent = await refresh(appSid, auth.REFRESH_ID);
    expect([spent.status, spent.body.error]).toEqual([401, 'invalid_grant']);
    expect(spent.text).not.toContain(auth.REFRESH_ID);
  });

  it('belongs to the app named by ?clientId= when it is installed, and names an unknown one in a 400', async () => {
    const portal = sandbox.portal('frame-app');
    const installed = portal.installApp({ clientId: 'local.frame.test', clientSecret: 'a-secret-for-the-frame-test' });
    const { config } = await openFrame(sandbox.frameUrl(APP, { portal: 'frame-app', clientId: 'local.frame.test' }));
    expect(config!.memberId).toBe(installed.member_id);
    expect((await leadWith(config!.auth.AUTH_ID)).status).toBe(200);
    const unknown = await send(sandbox.frameUrl(APP, { clientId: 'local.nobody' }));
    expect([unknown.status, unknown.body.error_description]).toEqual([400, expect.stringMatching(/^clientId local\.nobody names no app installed/)]);
  });

  it("belongs to the portal named by ?portal=, whose journal shows the frame's calls", async () => {
    const worker = sandbox.portal('frame-worker');
    worker.reset({ leads: [{ id: 1, fields: { TITLE: 'Worker lead' } }], contacts: [] });
    const { config } = await openFrame(sandbox.frameUrl(APP, { portal: 'frame-worker' }));
    const answer = await leadWith(config!.auth.AUTH_ID);
    expect(answer.body.result.TITLE).toBe('Worker lead');
    expect(worker.calls.at(-1)).toMatchObject({ method: LEAD_GET, status: 200 });
  });

  it.each([
    ['a body that is not JSON', 'nope', 400],
    ['a body without the two strings', '{"appSid":1}', 400],
    ['an unknown APP_SID', '{"appSid":"x","refreshToken":"y"}', 401],
  ])('refresh refuses %s', async (_label, body, status) => {
    const answer = await send(`${sandbox.url}/__sandbox/frame/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(answer.status).toBe(status);
  });
});

describe('FrameSessions', () => {
  it('keeps the newest frames up to its cap: the oldest can no longer refresh', () => {
    const portal = sandbox.portal('frame-cap');
    const sessions = new FrameSessions(() => true, 2);
    portal.installApp({ clientId: 'local.frame-cap', clientSecret: 'a-secret-for-the-cap-test' });
    const [a, b, c] = [1, 2, 3].map(() => sessions.open(portal, 'local.frame-cap'));
    expect(() => sessions.refresh(a!.appSid, a!.tokens.REFRESH_ID)).toThrow(/No open frame has this APP_SID/);
    expect(sessions.refresh(b!.appSid, b!.tokens.REFRESH_ID).AUTH_ID).toMatch(/^[0-9a-f]{32}$/);
    expect(sessions.refresh(c!.appSid, c!.tokens.REFRESH_ID).AUTH_ID).toMatch(/^[0-9a-f]{32}$/);
  });
});
