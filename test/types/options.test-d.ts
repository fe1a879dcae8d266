import { describe, expectTypeOf, it } from 'vitest';
import {
  createBitrix24Client,
  type Bitrix24ClientOptions,
  type Bitrix24Error,
  type ClientErrorCode,
  type PortalMove,
  type RateLimit,
  type WaitEvent,
} from '../../src/index.js';

const webhookUrl = 'https://example.bitrix24.com/rest/1/code/';

describe('client options', () => {
  it('takes a plan preset, custom bucket numbers or false as rateLimit', () => {
    expectTypeOf<RateLimit>().toEqualTypeOf<
      false | 'standard' | 'enterprise' | { drainPerSecond: number; threshold: number } | { drainPerSecond: number; burst: number }
    >();
    createBitrix24Client({ webhookUrl, rateLimit: 'enterprise' });
    createBitrix24Client({ webhookUrl, rateLimit: { drainPerSecond: 1, threshold: 10 } });
    // The name before 0.2, kept as a deprecated alias.
    createBitrix24Client({ webhookUrl, rateLimit: { drainPerSecond: 1, burst: 10 } });
    // @ts-expect-error there is no such plan
    createBitrix24Client({ webhookUrl, rateLimit: 'premium' });
  });

  it('takes retry, operationTimeLimit, timeoutMs, hooks and logger', () => {
    createBitrix24Client({
      webhookUrl,
      retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 },
      operationTimeLimit: { maxWaitMs: 10_000, failFast: false },
      timeoutMs: 30_000,
      hooks: { onWait: (event) => expectTypeOf(event).toEqualTypeOf<WaitEvent>() },
      logger: console,
    });
    createBitrix24Client({ webhookUrl, retry: false });
  });

  it('takes the token refresh callbacks with an OAuth connection', () => {
    createBitrix24Client({
      portal: 'example.bitrix24.com',
      accessToken: 'a',
      refreshToken: 'r',
      onTokenExpired: async ({ refreshToken }) => ({ accessToken: `new-${refreshToken}`, refreshToken: 'r2' }),
      onTokensRefreshed: (tokens) => expectTypeOf(tokens.accessToken).toBeString(),
    });
    expectTypeOf<Bitrix24ClientOptions>().toHaveProperty('rateLimit');
  });

  it('takes per-call timeout and retry settings', () => {
    const client = createBitrix24Client({ webhookUrl });
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1 } }, { timeoutMs: 5_000, retry: false });
    // @ts-expect-error attempts is a number
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1 } }, { retry: { attempts: 'many' } });
  });

  it('takes the response cap and the opt-in to follow a moved portal, told the move as two origins', () => {
    createBitrix24Client({
      webhookUrl,
      maxResponseBytes: 1_048_576,
      followPortalMoves: true,
      onPortalMoved: (move) => expectTypeOf(move).toEqualTypeOf<PortalMove>(),
    });
    expectTypeOf<PortalMove>().toEqualTypeOf<{ from: string; to: string }>();
    // @ts-expect-error the cap is a number of bytes
    createBitrix24Client({ webhookUrl, maxResponseBytes: '8MB' });
  });

  it('names the new failure codes and carries the new origin of a moved portal', () => {
    expectTypeOf<'PORTAL_MOVED' | 'INVALID_REDIRECT' | 'INVALID_PARAMS' | 'ORIGIN_REFUSED' | 'RESPONSE_TOO_LARGE'>().toExtend<ClientErrorCode>();
    expectTypeOf<Bitrix24Error['newOrigin']>().toEqualTypeOf<string | undefined>();
  });
});
