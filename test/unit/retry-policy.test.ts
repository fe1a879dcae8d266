import { describe, expect, it } from 'vitest';
import { backoffDelay, type NextAttempt, nextAttempt, type RetryPolicy } from '../../src/client/retry.js';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  canRefresh: false,
  resetInMs: 0,
  maxWaitMs: 60_000,
  failFast: false,
  // The top of the jitter range, so a wait is the backoff ceiling.
  random: () => 1,
  ...overrides,
});
const error = (code: string, retryable = true) => ({ code, retryable });
const THROW: NextAttempt = { kind: 'throw' };
const wait = (ms: number, reason: 'retry' | 'operation-time-limit' = 'retry'): NextAttempt => ({ kind: 'wait', ms, reason });

describe('nextAttempt', () => {
  it.each<[string, { code: string; retryable: boolean }, number, Partial<RetryPolicy>, NextAttempt]>([
    ['refreshes on the first expired_token when a refresh is set up', error('expired_token'), 1, { canRefresh: true }, { kind: 'refresh' }],
    ['refreshes after the last attempt too: a refresh is not a repeat', error('expired_token'), 5, { canRefresh: true }, { kind: 'refresh' }],
    ['gives up on expired_token without a refresh (or after it was used)', error('expired_token'), 1, {}, THROW],
    ['gives up on an error that repeating cannot fix', error('NOT_FOUND', false), 1, {}, THROW],
    ['waits 1 s, then 2 s, before repeating a 503 QUERY_LIMIT_EXCEEDED', error('QUERY_LIMIT_EXCEEDED'), 1, {}, wait(1000)],
    ['doubles the backoff per attempt', error('QUERY_LIMIT_EXCEEDED'), 2, {}, wait(2000)],
    ['caps the backoff at maxDelayMs', error('NETWORK_ERROR'), 4, { retry: { maxDelayMs: 3000 } }, wait(3000)],
    ['gives up after retry.attempts tries', error('TIMEOUT'), 5, {}, THROW],
    ['gives up at once with retry: false', error('TIMEOUT'), 1, { retry: false }, THROW],
    ['honours a custom attempt count', error('TIMEOUT'), 2, { retry: { attempts: 3 } }, wait(2000)],
    [
      "waits for the method's budget reset plus a second on 429 OPERATION_TIME_LIMIT",
      error('OPERATION_TIME_LIMIT'),
      1,
      { resetInMs: 30_000 },
      wait(31_000, 'operation-time-limit'),
    ],
    ['gives up on 429 when the reset is further away than maxWaitMs', error('OPERATION_TIME_LIMIT'), 1, { resetInMs: 90_000 }, THROW],
    ['gives up on 429 at once with failFast', error('OPERATION_TIME_LIMIT'), 1, { resetInMs: 10, failFast: true }, THROW],
    ['backs off on 429 when no reset time is known', error('OPERATION_TIME_LIMIT'), 1, { resetInMs: 0 }, wait(1000)],
  ])('%s', (_rule, failure, attempt, overrides, expected) => {
    expect(nextAttempt(failure, attempt, policy(overrides))).toEqual(expected);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 500],
    [0.5, 750],
    [1, 1000],
  ])('keeps the jitter (%s) in the upper half of the ceiling', (random, expected) => {
    expect(backoffDelay(1, {}, () => random)).toBe(expected);
  });
});
