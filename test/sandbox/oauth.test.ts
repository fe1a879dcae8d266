// The sandbox's authorization server: installing an app and refreshing its tokens the way
// oauth.bitrix.info does, with access tokens that expire on the sandbox's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../../src/index.js';
import { startSandbox } from '../../src/node/sandbox-server.js';
import type { RunningSandbox } from '../../src/sandbox/server-types.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const admin = async (path: string, body: unknown) => {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
};
const token = async (params: Record<string, string>) => {
  const response = await fetch(`${sandbox.url}/oauth/token/?${new URLSearchParams(params)}`);
  return { status: response.status, body: await response.json() };
};
const call = async (method: string, auth: string) =>
  (await fetch(`${sandbox.url}/rest/${method}`, { method: 'POST', body: JSON.stringify({ id: 1, auth }) })).status;

let seq = 0;
const newApp = () => ({ clientId: `local.app${++seq}`, clientSecret: `secret-${seq}` });

describe('POST /__sandbox/apps/install', () => {
  it('answers the first token pair, the application_token, member_id and domain; the access token works at once', async () => {
    const { status, body } = await admin('apps/install', newApp());
    expect(status).toBe(200);
    expect(body.result).toMatchObject({
      access_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      refresh_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      application_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      member_id: sandbox.identity.member_id,
      domain: new URL(sandbox.url).host,
      client_endpoint: `${sandbox.url}/rest/`,
      expires_in: 3600,
      scope: 'crm',
      status: 'L',
    });
    expect(await call('crm.lead.contact.items.get', body.result.access_token)).toBe(200);
  });

  it('keeps one application_token per app and portal, and refuses the same app with another secret (401 invalid_client)', async () => {
    const app = newApp();
    const first = (await admin('apps/install', app)).body.result;
    expect((await admin('apps/install', app)).body.result.application_token).toBe(first.application_token);
    expect(await admin('apps/install', { ...app, clientSecret: 'other' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it.each([
    [{}, /clientId/],
    [{ clientId: 'a' }, /clientSecret/],
    [{ clientId: 'a', clientSecret: 'b', scopes: 'crm' }, /scopes/],
  ])('refuses a body without what an app needs: %j', async (body, reason) => {
    const answer = await admin('apps/install', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(reason);
  });
});

describe('/oauth/token/ grant_type=refresh_token', () => {
  it('swaps a refresh token once for a new pair; the old access token expires on the sandbox clock', async () => {
    const app = newApp();
    const installed = (await admin('apps/install', app)).body.result;
    const form = { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: installed.refresh_token };
    const refreshed = await token(form);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ expires_in: 3600, member_id: installed.member_id, server_endpoint: `${sandbox.url}/rest/` });
    expect(refreshed.body.access_token).not.toBe(installed.access_token);
    expect(await token(form)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    expect(await call('crm.lead.contact.items.get', installed.access_token)).toBe(200);
    await admin('clock', { advanceMs: 3600 * 1000 });
    expect(await call('crm.lead.contact.items.get', installed.access_token)).toBe(401);
    const again = await token({ ...form, refresh_token: refreshed.body.refresh_token });
    expect(await call('crm.lead.contact.items.get', again.body.access_token)).toBe(200);
  });

  it.each([
    ['a wrong secret', { client_secret: 'wrong' }, 401, 'invalid_client'],
    ['an unknown refresh token', { refresh_token: 'f'.repeat(32) }, 400, 'invalid_grant'],
    ['no refresh token', { refresh_token: '' }, 400, 'invalid_request'],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ])('answers %s with its documented error', async (_case, change, status, error) => {
    const app = newApp();
    const installed = (await admin('apps/install', app)).body.result;
    const form = { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: installed.refresh_token, ...change };
    const answer = await token(form);
    expect(answer).toMatchObject({ status, body: { error } });
    expect(JSON.stringify(answer.body)).not.toContain(app.clientSecret);
  });
});

describe('/oauth/token/ grant_type=authorization_code', () => {
  it('exchanges a code once, within its 30 seconds', async () => {
    const app = newApp();
    await admin('apps/install', app);
    const { code } = (await admin('apps/authorize', app)).body.result;
    const form = { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code };
    expect((await token(form)).status).toBe(200);
    expect(await token(form)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const late = (await admin('apps/authorize', app)).body.result.code;
    await admin('clock', { advanceMs: 30_000 });
    expect(await token({ ...form, code: late })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('the client refreshes through the sandbox', () => {
  it('an expired access token makes onTokenExpired run against /oauth/token/, and the call goes through', async () => {
    const app = newApp();
    const installed = (await admin('apps/install', app)).body.result;
    await admin('clock', { advanceMs: 3600 * 1000 });
    let refreshes = 0;
    const client = createBitrix24Client({
      portal: sandbox.url,
      allowInsecureHttp: true,
      accessToken: installed.access_token,
      refreshToken: installed.refresh_token,
      onTokenExpired: async ({ refreshToken }) => {
        refreshes++;
        const { body } = await token({
          grant_type: 'refresh_token',
          client_id: app.clientId,
          client_secret: app.clientSecret,
          refresh_token: refreshToken ?? '',
        });
        return { accessToken: body.access_token, refreshToken: body.refresh_token };
      },
    });
    await expect(client.crm.lead.contact.items.get({ id: 1 })).resolves.toBeDefined();
    expect(refreshes).toBe(1);
  });
});
