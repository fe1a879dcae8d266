import { afterEach, expect } from 'vitest';
import { responseValidators } from '../../generated/validators.js';
import { createBitrix24Client, type Bitrix24ClientOptions } from '../../src/index.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { parseMethodUrl } from '../../src/wire/method-url.js';
import { describeViolations, violationsOf } from '../../src/wire/violations.js';

/** Every answer a sandbox gave in this test that the contract does not allow. */
const drift: string[] = [];
afterEach(() => {
  const found = drift.splice(0);
  expect(found, 'answers outside the contract').toEqual([]);
});

/** Checks one answer of a contract method against the contract's response schema for its status. */
export function checkAnswer(url: string, status: number, body: unknown): string | undefined {
  const method = parseMethodUrl(url)?.method;
  if (!method || !responseValidators[method]) return undefined; // not a contract method: nothing to hold it to
  const validate = responseValidators[method][String(status)];
  if (!validate) return `${method}: HTTP ${status} is not a documented answer`;
  return validate(body) ? undefined : `${method} HTTP ${status}: ${describeViolations(violationsOf(validate.errors))}`;
}

/** A `fetch` in front of the sandbox that records every answer outside the contract (checked after each test). */
export function checkedFetch(sandbox: Pick<Sandbox, 'fetch'>): typeof fetch {
  return async (input, init) => {
    const response = await sandbox.fetch(input, init);
    const text = await response.clone().text();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const problem = checkAnswer(url, response.status, text === '' ? undefined : JSON.parse(text));
    if (problem) drift.push(problem);
    return response;
  };
}

export const WEBHOOK = 'https://sandbox.bitrix24.test/rest/1/sandboxcode123/';

/**
 * A sandbox whose every answer is checked against the contract, and a client on it (one attempt per
 * call); `clientOptions` adds to the client's options (e.g. a small `maxResponseBytes`).
 */
export function sandboxWithClient(options: SandboxOptions = {}, clientOptions: Partial<Bitrix24ClientOptions> = {}) {
  const sandbox = createSandbox(options);
  const fetch = checkedFetch(sandbox);
  const client = createBitrix24Client({ webhookUrl: WEBHOOK, fetch, rateLimit: false, retry: false, ...clientOptions } as Bitrix24ClientOptions);
  /** Sends a raw request to the sandbox and reads the answer. */
  const send = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(new URL(path, WEBHOOK).href, { method: 'POST', ...init });
    return { status: response.status, body: await response.json() };
  };
  return { sandbox, client, fetch, send };
}
