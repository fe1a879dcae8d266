// Every way a call can fail, generated: whatever the portal (or the network, or the caller's own
// parameters) does, the client rejects with one Bitrix24Error whose code is a documented client code
// or the portal's own code, and no secret appears in any of its strings, in any spelling.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitrix24Error, batch, bulk, cmd, createBitrix24Client, isBitrix24Error, type Bitrix24ClientOptions, type ClientErrorCode } from '../../src/index.js';
import type { BatchErrorCode } from '../../src/index.js';
import { leaks, spellings } from '../support/secret-spellings.js';

const CLIENT_CODES = [
  'NETWORK_ERROR',
  'TIMEOUT',
  'ABORTED',
  'INVALID_RESPONSE',
  'REDIRECT_REFUSED',
  'PORTAL_MOVED',
  'INVALID_REDIRECT',
  'INVALID_PARAMS',
  'ORIGIN_REFUSED',
  'RESPONSE_TOO_LARGE',
  'TOKEN_REFRESH_FAILED',
] as const satisfies readonly ClientErrorCode[];
// Does not compile once ClientErrorCode gains a code this list lacks.
const allClientCodesListed: Exclude<ClientErrorCode, (typeof CLIENT_CODES)[number]> extends never ? true : false = true;
const BATCH_CODES = ['BATCH_HALTED', 'BATCH_NO_RESULT'] as const satisfies readonly BatchErrorCode[];
const DOCUMENTED = [
  'NOT_FOUND',
  '',
  'ACCESS_DENIED',
  'NO_AUTH_FOUND',
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_TIME_LIMIT',
  'INTERNAL_SERVER_ERROR',
  'expired_token',
  'OVERLOAD_LIMIT',
];

const text = (alphabet: string) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: 16, maxLength: 32 });
const webhookCode = text('abcdefghijklmnopqrstuvwxyz0123456789-_');
const token = text('abcdef0123456789 /+%"\\é€&=?#');

const answer = fc.oneof(
  fc.record({
    kind: fc.constant('error-body' as const),
    status: fc.constantFrom(200, 400, 401, 403, 404, 418, 429, 500, 502, 503, 504),
    documented: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('html' as const), status: fc.constantFrom(200, 404, 500, 502) }),
  fc.record({ kind: fc.constant('not-envelope' as const), status: fc.constantFrom(200, 400) }),
  fc.record({ kind: fc.constant('command-errors' as const) }),
  fc.record({
    kind: fc.constant('redirect' as const),
    status: fc.constantFrom(301, 302, 307, 308),
    to: fc.constantFrom('same-origin', 'other-origin', 'plain-http', 'unparsable'),
  }),
  fc.record({ kind: fc.constantFrom('network' as const, 'timeout' as const, 'abort' as const, 'too-large' as const) }),
);

type Answer = typeof answer extends fc.Arbitrary<infer A> ? A : never;

/** A portal that answers every request the same faulty way, echoing the secret and the request in every string it returns. */
function faultyPortal(fault: Answer, spell: (secret: string) => string, controller: AbortController, sent: string[]) {
  let hops = 0;
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    sent.push(url);
    // What the portal knows: the webhook code in the path, or the token sent as `auth`.
    const secret = (/\/rest\/1\/([^/]+)\//.exec(url)?.[1] ?? JSON.parse(String(init?.body)).auth) as string;
    const spelled = spell(secret);
    const echo = `${spelled} ${url} ${String(init?.body)}`;
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    switch (fault.kind) {
      case 'error-body':
        return json(fault.status, { error: fault.documented ? 'NOT_FOUND' : `E_${spelled}`, error_description: echo });
      case 'html':
        return new Response(`<html>${echo}</html>`, { status: fault.status, headers: { 'Content-Type': 'text/html' } });
      case 'not-envelope':
        return json(fault.status, { message: echo });
      case 'command-errors':
        return json(200, {
          result: { result: [], result_error: Array.from({ length: 60 }, () => ({ error: `E_${spelled}`, error_description: echo })) },
          time: { start: 1, finish: 1, duration: 0 },
        });
      case 'redirect': {
        const { pathname } = new URL(url);
        const location = {
          'same-origin': `${pathname}?hop=${++hops}&echo=${encodeURIComponent(echo)}`,
          'other-origin': `https://moved-${++hops}.example.com${pathname}?echo=${encodeURIComponent(echo)}`,
          'plain-http': `http://example.bitrix24.com${pathname}?echo=${encodeURIComponent(echo)}`,
          unparsable: `http://[${echo}`,
        }[fault.to];
        return new Response(null, { status: fault.status, headers: { Location: location } });
      }
      case 'network':
        throw new TypeError(`fetch failed: ${echo}`, { cause: new Error(`ECONNRESET ${echo}`) });
      case 'timeout':
      case 'abort': {
        const signal = init!.signal!;
        if (fault.kind === 'abort') setTimeout(() => controller.abort(new Error(`stopped ${echo}`)), 1);
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error(`aborted ${echo}`))));
      }
      case 'too-large':
        return new Response(`{"result":"${echo}${'x'.repeat(4096)}"}`, { status: 200, headers: { 'Content-Type': 'application/json' } });
    }
  };
}

function surfacesOf(error: Bitrix24Error): string {
  return [
    error.message,
    error.description,
    error.code,
    error.method,
    String(error.stack),
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: null, showHidden: true }),
  ].join('\n');
}

describe('every failure of a call is a Bitrix24Error with a known code and no secret', () => {
  it('holds for any portal answer, network fault, parameter fault and way of calling', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ code: webhookCode, access: token, refresh: token, newAccess: token }),
        fc.boolean(),
        answer,
        fc.constantFrom(...spellings),
        fc.constantFrom('valid', 'valid', 'circular', 'bigint'),
        fc.constantFrom('method', 'batch', 'bulk'),
        fc.record({
          attempts: fc.integer({ min: 1, max: 3 }),
          followPortalMoves: fc.boolean(),
          allowInsecureHttp: fc.boolean(),
          refresh: fc.constantFrom('none', 'works', 'fails'),
        }),
        async (s, oauth, fault, [, spell], paramsKind, how, settings) => {
          fc.pre(!(fault.kind === 'command-errors' && how === 'method'));
          const secrets = oauth ? [s.access, s.refresh, s.newAccess] : [s.code];
          const sent: string[] = [];
          const controller = new AbortController();
          const options = {
            ...(oauth
              ? {
                  portal: 'example.bitrix24.com',
                  accessToken: s.access,
                  refreshToken: s.refresh,
                  ...(settings.refresh !== 'none' && {
                    onTokenExpired: async () => {
                      if (settings.refresh === 'fails') throw new Error(`refresh ${s.refresh} failed`);
                      return { accessToken: s.newAccess };
                    },
                  }),
                }
              : { webhookUrl: `https://example.bitrix24.com/rest/1/${s.code}/` }),
            // The portal echoes the secret it was sent, spelled one way, plus the raw request.
            fetch: faultyPortal(fault, spell, controller, sent),
            rateLimit: false,
            retry: { attempts: settings.attempts, baseDelayMs: 0 },
            timeoutMs: 5,
            maxResponseBytes: 2048,
            sleep: async () => {},
            followPortalMoves: settings.followPortalMoves,
            allowInsecureHttp: settings.allowInsecureHttp,
          } as Bitrix24ClientOptions;
          const client = createBitrix24Client(options);
          const fields: Record<string, unknown> = { CONTACT_ID: 1010 };
          if (paramsKind === 'circular') fields.self = fields;
          const params = { id: paramsKind === 'bigint' ? 1n : 1, fields } as never;
          const { signal } = controller;
          const call =
            how === 'method'
              ? client.crm.lead.contact.add(params, { signal })
              : { batch, bulk }[how](client, [cmd.crm.lead.contact.add(params), cmd.crm.lead.contact.items.get({ id: 1 })], { signal });

          const errors: unknown[] = [];
          const settled = await call.then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if ('error' in settled) errors.push(settled.error);
          else if (how === 'method')
            return false; // no generated answer is a success
          else
            for (const outcome of settled.value as Array<{ ok: boolean; error?: unknown }>) errors.push(outcome.ok ? 'an unexpected success' : outcome.error);

          expect(errors.length).toBeGreaterThan(0);
          for (const error of errors) {
            expect(isBitrix24Error(error) && error instanceof Bitrix24Error, String(error)).toBe(true);
            const e = error as Bitrix24Error;
            const known = [...CLIENT_CODES, ...BATCH_CODES, ...DOCUMENTED, 'E_***'] as string[];
            expect(known, `code ${JSON.stringify(e.code)}`).toContain(e.code);
            const surfaces = surfacesOf(e);
            for (const secret of secrets) expect(leaks(surfaces, secret), surfaces).toEqual([]);
            if (e.code === 'INVALID_PARAMS') expect(sent).toEqual([]);
            if (['INVALID_PARAMS', 'INVALID_REDIRECT', 'PORTAL_MOVED', 'REDIRECT_REFUSED', 'RESPONSE_TOO_LARGE', 'ABORTED'].includes(e.code)) {
              expect(e.retryable).toBe(false);
            }
            if (e.code === 'PORTAL_MOVED') expect(e.newOrigin).toMatch(/^https:\/\/moved-\d+\.example\.com$/);
          }
          // Nothing ever went to plain http:// from the https:// portal, and nothing left the portal unless moves are followed.
          expect(sent.filter((url) => !url.startsWith('https://'))).toEqual([]);
          if (!settings.followPortalMoves) expect(sent.filter((url) => !url.startsWith('https://example.bitrix24.com/'))).toEqual([]);
          return true;
        },
      ),
      { numRuns: 300 },
    );
    expect(allClientCodesListed).toBe(true);
  });
});
