// A store on Redis (or Valkey) for several processes calling one portal. It loads no Redis library
// itself: it drives the client the caller created and connected.
import { checkNumber } from '../client/check-option.js';
import { REFRESH_TOKEN_LIFETIME_MS } from '../wire/bitrix24.js';
import { createSharedStore, type Bucket, type StoreBackend } from './shared-store.js';
import type { Bitrix24Store } from './store.js';
import type { OAuthTokens } from '../client/auth.js';

/** A connected `ioredis` client (`new Redis(...)`, also a `Cluster`): commands go through `call`. */
export interface IoRedisLike {
  call(command: string, args: (string | number)[]): Promise<unknown>;
}

/** A connected `redis` (node-redis 4 or 5) client (`await createClient(...).connect()`): commands go through `sendCommand`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Put before every key, so one Redis can serve several environments. Default `'b24:'`. */
  prefix?: string;
  /**
   * Names the OAuth identity (app installation and user) whose tokens the clients of this store share,
   * when several call one portal: an id of yours, not a secret. Without it there is one token pair per
   * portal. The rate-limit bucket stays one per portal either way.
   */
  account?: string;
  /** Longest wait for one Redis answer before the client paces itself locally (or fails a refresh). Default 1000 ms. */
  timeoutMs?: number;
  /** The refresh lock expires this long after it was taken, so a crashed holder cannot block the others. Default 30000 ms. */
  lockTimeoutMs?: number;
  /** After a Redis failure, the client paces locally this long before asking Redis again. Default 5000 ms. */
  retryAfterMs?: number;
}

// The leaky bucket as the local limiter models it, run inside Redis: one round trip per request, atomic
// against every other process, and on the Redis server's clock, so the hosts' clocks need not agree.
// The level drains continuously; a `take` reserves a slot even when the bucket is full and answers
// how long to wait, so callers queued across processes keep their order. The key expires when the
// bucket has drained empty, which is when it holds nothing worth keeping.
const BUCKET_SCRIPT = `
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + tonumber(now[2]) / 1000
local drain = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1]) or 0
local at = tonumber(state[2]) or t
level = math.max(0, level - math.max(0, t - at) * drain / 1000)
local wait = 0
if ARGV[1] == 'take' then
  level = level + 1
  wait = math.max(0, (level - capacity) * 1000 / drain)
elseif ARGV[1] == 'give' then
  level = math.max(0, level - 1)
else
  level = math.max(level, capacity)
end
redis.call('HSET', KEYS[1], 'level', string.format('%.6f', level), 'at', string.format('%.3f', t))
redis.call('PEXPIRE', KEYS[1], math.ceil(level * 1000 / drain) + 1000)
return math.ceil(wait)
`;

// Stores new tokens (with `save`) and releases the refresh lock, but only the caller's own lock: a lock
// that expired and was taken by another process stays with it.
const TOKENS_SCRIPT = `
if ARGV[1] == 'save' then
  redis.call('HSET', KEYS[1], 'access', ARGV[3], 'refresh', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('DEL', KEYS[2])
end
return 1
`;

/** Stored tokens not refreshed for a refresh token's lifetime are useless. */
const TOKENS_TTL_MS = REFRESH_TOKEN_LIFETIME_MS;

/** One function for raw commands, whichever client library was passed. */
function commandSender(redis: IoRedisLike | NodeRedisLike): (args: string[]) => Promise<unknown> {
  if (typeof (redis as IoRedisLike)?.call === 'function') return ([command, ...args]) => (redis as IoRedisLike).call(command!, args);
  if (typeof (redis as NodeRedisLike)?.sendCommand === 'function') return (args) => (redis as NodeRedisLike).sendCommand(args);
  throw new TypeError('createRedisStore needs an ioredis client (new Redis()) or a connected node-redis client (createClient())');
}

/**
 * A store on Redis for {@link createBitrix24Client}'s `store` option: every client that uses it (in any
 * process) shares one rate-limit bucket per portal and one OAuth refresh. Pass a client you created
 * and connected, of `ioredis` 5 or `redis` 4/5.
 *
 * Keys (per portal host, e.g. `example.bitrix24.com`; no secret is part of a key name):
 * `{prefix}{host}:bucket` (level and time; expires once drained), `{prefix}{host}:tokens[:account]` (the
 * current access and refresh token; expires 180 days after the last refresh),
 * `{prefix}{host}:refresh-lock[:account]` (expires after `lockTimeoutMs`). The braces keep one portal's
 * keys in one Redis Cluster slot.
 *
 * @example
 * import Redis from 'ioredis';
 * import { createRedisStore } from 'b24-lead-contact/redis';
 * const store = createRedisStore(new Redis(process.env.REDIS_URL!));
 * const client = createBitrix24Client({ webhookUrl, store });
 */
export function createRedisStore(redis: IoRedisLike | NodeRedisLike, options: RedisStoreOptions = {}): Bitrix24Store {
  const { prefix = 'b24:', account, timeoutMs = 1000, lockTimeoutMs = 30_000, retryAfterMs = 5000 } = options;
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
  if (account !== undefined && (typeof account !== 'string' || account === '')) throw new TypeError('account must be a non-empty string');
  checkNumber('timeoutMs', timeoutMs, 'positive number');
  checkNumber('lockTimeoutMs', lockTimeoutMs, 'whole number ≥ 1');
  checkNumber('retryAfterMs', retryAfterMs, 'non-negative number');
  const send = commandSender(redis);
  const key = (portal: string, name: string) => `${prefix}{${portal}}:${name}${name !== 'bucket' && account ? `:${account}` : ''}`;
  const shas = new Map<string, string>();

  /** EVALSHA, loading the script on first use and again after Redis lost it (a restart flushes scripts). */
  async function run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const argv = [String(keys.length), ...keys, ...args.map(String)];
    for (let attempt = 0; ; attempt++) {
      let sha = shas.get(script);
      if (!sha) shas.set(script, (sha = String(await send(['SCRIPT', 'LOAD', script]))));
      try {
        return await send(['EVALSHA', sha, ...argv]);
      } catch (error) {
        if (attempt > 0 || !String((error as Error)?.message).includes('NOSCRIPT')) throw error;
        shas.delete(script);
      }
    }
  }

  const bucket = (op: string, portal: string, { drainPerSecond, capacity }: Bucket) =>
    run(BUCKET_SCRIPT, [key(portal, 'bucket')], [op, drainPerSecond, capacity]);
  const tokens = (op: string, portal: string, owner: string, saved: OAuthTokens = { accessToken: '' }) =>
    run(TOKENS_SCRIPT, [key(portal, 'tokens'), key(portal, 'refresh-lock')], [op, owner, saved.accessToken, saved.refreshToken ?? '', TOKENS_TTL_MS]);

  const backend: StoreBackend = {
    take: async (portal, b) => Number(await bucket('take', portal, b)),
    give: async (portal, b) => void (await bucket('give', portal, b)),
    fill: async (portal, b) => void (await bucket('fill', portal, b)),
    async readTokens(portal) {
      const [accessToken, refreshToken] = ((await send(['HMGET', key(portal, 'tokens'), 'access', 'refresh'])) ?? []) as (string | null)[];
      return accessToken ? { accessToken, ...(refreshToken ? { refreshToken } : {}) } : undefined;
    },
    lock: async (portal, owner, ttlMs) => (await send(['SET', key(portal, 'refresh-lock'), owner, 'NX', 'PX', String(ttlMs)])) === 'OK',
    saveTokens: async (portal, owner, saved) => void (await tokens('save', portal, owner, saved)),
    unlock: async (portal, owner) => void (await tokens('unlock', portal, owner)),
  };
  return createSharedStore(backend, { timeoutMs, lockTimeoutMs, retryAfterMs });
}
