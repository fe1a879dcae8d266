import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batch, bulk, cmd, createBitrix24Client, type Bitrix24ClientOptions } from '../../src/index.js';
import { hang } from '../support/hung-fetch.js';
import { leaks, spellings } from '../support/secret-spellings.js';

const secret = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 16, maxLength: 40 });

/** Every way a call can fail, each echoing whatever secrets it can see (URL, body, tokens) back at the client. */
const faults = ['error-body', 'html', 'network', 'timeout', 'http-redirect', 'redirect-loop', 'refresh-fails', 'expired-again', '429'] as const;
type Fault = (typeof faults)[number];

function faultyFetch(fault: Fault, echo: (request: Request, body: string) => string) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = init?.body ? String(init.body) : '';
    const leak = echo(request, body);
    const json = (status: number, payload: unknown) => new Response(JSON.stringify(payload), { status, headers: { 'Content-Type': 'application/json' } });
    switch (fault) {
      case 'error-body':
        return json(400, { error: `BAD_${leak}`, error_description: `Rejected ${leak}` });
      case 'html':
        return new Response(`<html>${leak}</html>`, { status: 502, headers: { 'Content-Type': 'text/html' } });
      case 'network':
        throw new TypeError(`fetch failed: ${leak}`, { cause: new Error(`ECONNRESET ${leak}`) });
      case 'timeout':
        // The signal the client passed, not the Request's copy: that copy is only weakly linked to it
        // and may be collected while the request waits.
        return hang(init?.signal);
      case 'http-redirect':
        return new Response(null, { status: 302, headers: { Location: request.url.replace('https:', 'http:') } });
      case 'redirect-loop':
        return new Response(null, { status: 307, headers: { Location: request.url } });
      case '429':
        return json(429, { error: 'OPERATION_TIME_LIMIT', error_description: leak, time: { operating_reset_at: leak } });
      default:
        return json(401, { error: 'expired_token', error_description: `expired ${leak}` });
    }
  };
}

describe('secrets never leave the client', () => {
  it('keeps the webhook code and the tokens out of every observable surface of any failure', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...faults),
        fc.boolean(),
        fc.record({ code: secret, access: secret, refresh: secret, newAccess: secret, newRefresh: secret, clientSecret: secret }),
        async (fault, oauth, s) => {
          const logged: unknown[] = [];
          const hooked: unknown[] = [];
          const record = (event: unknown) => void hooked.push(event);
          const options = {
            ...(oauth
              ? {
                  portal: 'https://example.bitrix24.com',
                  accessToken: s.access,
                  refreshToken: s.refresh,
                  onTokenExpired: async () => {
                    if (fault === 'refresh-fails') throw new Error(`refresh ${s.refresh} with ${s.clientSecret} failed`);
                    return { accessToken: s.newAccess, refreshToken: s.newRefresh };
                  },
                  onTokensRefreshed: () => {},
                }
              : { webhookUrl: `https://example.bitrix24.com/rest/1/${s.code}/` }),
            // The server sees the URL and the body (with the token in use), and echoes both.
            fetch: faultyFetch(fault, (request, body) => `${request.url} ${body}`),
            timeoutMs: 5,
            sleep: async () => {},
            logger: { debug: (...args: unknown[]) => void logged.push(args) },
            hooks: { onAttempt: record, onRetry: record, onWait: record },
          } as Bitrix24ClientOptions;
          const error = await createBitrix24Client(options)
            .crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })
            .then(
              () => undefined,
              (e: unknown) => e as Error,
            );
          if (!error) return fault === 'expired-again' && !oauth; // a webhook has no refresh: expired_token is simply thrown
          const causes: unknown[] = [];
          for (let c: unknown = error; c; c = (c as Error).cause) causes.push(c);
          const surfaces = [
            error.message,
            String(error.stack),
            String(error),
            JSON.stringify(error),
            inspect(error, { depth: null, showHidden: true }),
            ...causes.map((c) => inspect(c, { depth: null, showHidden: true })),
            JSON.stringify(hooked),
            JSON.stringify(logged),
          ].join('\n');
          for (const value of oauth ? [s.access, s.refresh, s.newAccess, s.newRefresh, s.clientSecret] : [s.code]) {
            expect(surfaces).not.toContain(value);
          }
          expect(error.name).toBe('Bitrix24Error');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps them out of every batch command error, whatever spelling the portal echoes them in', async () => {
    // Tokens are opaque strings: let them hold what each encoding writes differently.
    const token = fc.string({ unit: fc.constantFrom(...'abcdef0123456789 /+%"\\é€&=?#'), minLength: 16, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.record({ code: secret, access: token }),
        fc.constantFrom(...spellings),
        fc.constantFrom(...spellings),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('batch', 'bulk') as fc.Arbitrary<'batch' | 'bulk'>,
        async (oauth, s, [, spellCode], [, spellDescription], count, how) => {
          const inUse = oauth ? s.access : s.code;
          // Every command fails, echoing the secret in its code and its description, next to the raw request.
          const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
            const errors = Array.from({ length: count }, (_, i) => ({
              error: `E${i}_${spellCode(inUse)}`,
              error_description: `${spellDescription(inUse)} in ${String(input)} ${String(init?.body)}`,
            }));
            return new Response(JSON.stringify({ result: { result: [], result_error: errors }, time: { start: 1, finish: 1, duration: 0 } }), {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
            });
          };
          const client = createBitrix24Client({
            ...(oauth ? { portal: 'example.bitrix24.com', accessToken: s.access } : { webhookUrl: `https://example.bitrix24.com/rest/1/${s.code}/` }),
            fetch,
            rateLimit: false,
          } as Bitrix24ClientOptions);
          const commands = Array.from({ length: count }, (_, i) => cmd.crm.lead.contact.add({ id: i + 1, fields: { CONTACT_ID: 1010 } }));
          const outcomes = await { batch, bulk }[how](client, commands);
          for (const [i, outcome] of outcomes.entries()) {
            if (outcome.ok) return false;
            const { error } = outcome;
            expect(error.code).toBe(`E${i}_***`);
            const surfaces = [error.message, String(error.stack), JSON.stringify(error), inspect(error, { depth: null, showHidden: true })].join('\n');
            expect(leaks(surfaces, inUse)).toEqual([]);
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });
});
