// connectFrame (b24-lead-contact/frame) against a scripted parent window: what it sends, which
// answers it reads, how it refreshes and when it gives up. The real round trip in Chromium, against
// the sandbox's frame host, is test/browser/frame-host.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectFrame } from '../../src/frame.js';

const SID = 'abc123def456abc123def456abc123de';
const ORIGIN = 'http://127.0.0.1:4040';
const INIT = {
  LANG: 'ru',
  DOMAIN: '127.0.0.1:4040',
  PROTOCOL: 0,
  AUTH_ID: 'access-1',
  AUTH_EXPIRES: '3600',
  REFRESH_ID: 'refresh-1',
  MEMBER_ID: 'm',
  FIRST_RUN: false,
  IS_ADMIN: true,
  INSTALL: false,
  USER_OPTIONS: [],
  APP_OPTIONS: { theme: 'dark' },
  PLACEMENT: 'CRM_LEAD_DETAIL_TAB',
  PLACEMENT_OPTIONS: { ID: '7' },
};

/** A frame whose parent answers by `answer(command)` (undefined: no answer); `sent` keeps what the frame posted. */
function scriptedFrame(name: string, answer: (command: string) => unknown) {
  const frame = new EventTarget() as EventTarget & { name: string; parent: unknown };
  const sent: Array<{ message: string; targetOrigin: string }> = [];
  const [host, secure] = name.split('|');
  const deliver = (data: string, { origin = `${secure === '1' ? 'https' : 'http'}://${host}`, source = parent as unknown } = {}) =>
    frame.dispatchEvent(Object.assign(new Event('message'), { data, origin, source }));
  const parent = {
    postMessage(message: string, targetOrigin: string) {
      sent.push({ message, targetOrigin });
      const parts = message.split(':');
      const callback = parts.at(-2)!;
      const value = answer(parts[0]!);
      if (value !== undefined) queueMicrotask(() => deliver(`${callback}:${JSON.stringify(value)}`));
    },
  };
  frame.name = name;
  frame.parent = parent;
  vi.stubGlobal('window', frame);
  return { sent, deliver, parent };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('connectFrame outside a frame', () => {
  it.each([
    ['a top-level page', null, /it has no parent window/],
    ['a frame without the portal name', 'some-frame', /window\.name is not \{host\}\|\{0\|1\}\|\{APP_SID\}/],
    ['a name with a bad protocol flag', `127.0.0.1:4040|2|${SID}`, /window\.name is not/],
  ])('refuses in %s, saying how to open it', async (_label, name, message) => {
    scriptedFrame(name ?? '', () => INIT);
    if (name === null) (window as unknown as { parent: unknown }).parent = window;
    await expect(connectFrame()).rejects.toThrow(message);
  });
});

describe('connectFrame in a frame', () => {
  it('asks the parent at the origin of window.name and resolves with its placement and a client connection', async () => {
    const { sent } = scriptedFrame(`127.0.0.1:4040|0|${SID}`, () => INIT);
    const frame = await connectFrame();
    expect(sent).toEqual([{ message: expect.stringMatching(new RegExp(`^getInitData::[^:]+:${SID}$`)), targetOrigin: ORIGIN }]);
    expect(frame).toMatchObject({
      placement: { name: 'CRM_LEAD_DETAIL_TAB', options: { ID: '7' } },
      lang: 'ru',
      domain: '127.0.0.1:4040',
      isAdmin: true,
      userOptions: {},
      appOptions: { theme: 'dark' },
      connection: { portal: ORIGIN, accessToken: 'access-1', refreshToken: 'refresh-1', allowInsecureHttp: true },
    });
  });

  it('uses https and no insecure flag when the portal says 1', async () => {
    scriptedFrame(`portal.bitrix24.com|1|${SID}`, () => INIT);
    expect((await connectFrame()).connection).toMatchObject({ portal: 'https://portal.bitrix24.com', allowInsecureHttp: false });
  });

  it('reads answers only from the parent window at the portal origin', async () => {
    const { sent, deliver } = scriptedFrame(`127.0.0.1:4040|0|${SID}`, () => undefined);
    const connecting = connectFrame();
    const callback = sent[0]!.message.split(':').at(-2)!;
    deliver(`${callback}:${JSON.stringify({ ...INIT, PLACEMENT: 'FROM_ELSEWHERE' })}`, { origin: 'http://evil.test' });
    deliver(`${callback}:${JSON.stringify({ ...INIT, PLACEMENT: 'FROM_ANOTHER_WINDOW' })}`, { source: {} });
    deliver(`${callback}:${JSON.stringify(INIT)}`);
    expect((await connecting).placement.name).toBe('CRM_LEAD_DETAIL_TAB');
  });

  it('gives up when the parent does not answer getInitData within timeoutMs', async () => {
    vi.useFakeTimers();
    scriptedFrame(`127.0.0.1:4040|0|${SID}`, () => undefined);
    const connecting = connectFrame({ timeoutMs: 500 });
    const failed = expect(connecting).rejects.toThrow('the parent window did not answer getInitData within 500 ms');
    await vi.advanceTimersByTimeAsync(500);
    await failed;
  });
});

describe("the connection's refresh", () => {
  it('asks the parent once for concurrent expiries, and hands a client with an older refresh token the current pair', async () => {
    let round = 0;
    const { sent } = scriptedFrame(`127.0.0.1:4040|0|${SID}`, (command) =>
      command === 'getInitData' ? INIT : { AUTH_ID: `access-${++round + 1}`, AUTH_EXPIRES: '3600', REFRESH_ID: `refresh-${round + 1}` },
    );
    const { connection } = await connectFrame();
    const refresh = connection.onTokenExpired!;
    const both = await Promise.all([refresh({ refreshToken: 'refresh-1' }), refresh({ refreshToken: 'refresh-1' })]);
    expect(both).toEqual([
      { accessToken: 'access-2', refreshToken: 'refresh-2' },
      { accessToken: 'access-2', refreshToken: 'refresh-2' },
    ]);
    expect(await refresh({ refreshToken: 'refresh-1' })).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect(sent.filter((s) => s.message.startsWith('refreshAuth:'))).toHaveLength(1);
    expect(connection).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('fails after refreshTimeoutMs without an answer, and the next expiry asks again', async () => {
    vi.useFakeTimers();
    const { sent } = scriptedFrame(`127.0.0.1:4040|0|${SID}`, (command) => (command === 'getInitData' ? INIT : undefined));
    const { connection } = await connectFrame({ refreshTimeoutMs: 1000 });
    const failed = expect(connection.onTokenExpired!({ refreshToken: 'refresh-1' })).rejects.toThrow('did not answer refreshAuth within 1000 ms');
    await vi.advanceTimersByTimeAsync(1000);
    await failed;
    void connection.onTokenExpired!({ refreshToken: 'refresh-1' }).catch(() => {});
    expect(sent.filter((s) => s.message.startsWith('refreshAuth:'))).toHaveLength(2);
  });
});
