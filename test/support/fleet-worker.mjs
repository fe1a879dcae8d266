// One process of a fleet test. It gets its settings as JSON in argv, builds a client from the built package
// (with a Redis store unless `redisUrl` is null), reports `ready`, waits for `go`, makes `calls`
// concurrent calls and reports what each call returned and how often it refreshed.
// With `hangInRefresh`, onTokenExpired reports `in-refresh` and never returns: the test then kills the
// process while it holds the refresh lock.
import { createBitrix24Client } from 'b24-lead-contact';
import { createRedisStore } from 'b24-lead-contact/redis';

const settings = JSON.parse(process.argv[2]);
const { kind, redisUrl, storeOptions, connection, tokenUrl, rateLimit = false, retry = false, calls, hangInRefresh = false } = settings;

// Only the library in use is loaded: each worker starts a little faster.
let redis;
if (redisUrl && kind === 'ioredis') redis = new (await import('ioredis')).Redis(redisUrl);
if (redisUrl && kind === 'redis') redis = await (await import('redis')).createClient({ url: redisUrl }).connect();
redis?.on('error', () => {});

const report = { exchanges: 0, refreshed: [], storeErrors: [] };
const client = createBitrix24Client({
  ...connection,
  allowInsecureHttp: true,
  rateLimit,
  retry,
  ...(redis ? { store: createRedisStore(redis, storeOptions) } : {}),
  hooks: { onStoreError: (event) => report.storeErrors.push(event) },
  onTokenExpired: async ({ refreshToken }) => {
    report.exchanges++;
    if (hangInRefresh) {
      process.send({ type: 'in-refresh' });
      await new Promise(() => {});
    }
    const answer = await fetch(tokenUrl, { method: 'POST', body: JSON.stringify({ refreshToken }) });
    if (!answer.ok) throw new Error(`token exchange refused (${answer.status})`);
    return answer.json();
  },
  onTokensRefreshed: (tokens) => void report.refreshed.push(tokens),
});

// Listening before `ready`, so the parent's `go` cannot arrive unheard.
const go = new Promise((resolve) => process.once('message', resolve));
process.send({ type: 'ready' });
await go;
const outcomes = await Promise.all(
  Array.from({ length: calls }, (_, i) =>
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1000 + i } }).then(
      () => 'ok',
      (error) => String(error.code),
    ),
  ),
);
process.send({ type: 'done', outcomes, ...report }, () => {
  if (kind === 'ioredis') redis?.disconnect();
  else redis?.destroy();
  process.exit(0);
});
