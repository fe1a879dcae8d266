// One worker process of the fleet benchmark (bench/fleet.mjs bundles it with src/ into dist/bench):
// gets its settings as JSON in argv, reports `ready`, waits for `go`, links its commands with client.bulk
// (with a Redis store unless `redisUrl` is null) and reports how many succeeded.
import { bulk, cmd, createBitrix24Client } from 'b24-lead-contact';
import { createRedisStore } from 'b24-lead-contact/redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

const { kind, redisUrl, prefix, webhookUrl, bucket, commands, offset } = JSON.parse(process.argv[2]);
let redis;
if (redisUrl && kind === 'ioredis') redis = new Redis(redisUrl);
if (redisUrl && kind === 'redis') redis = await createClient({ url: redisUrl }).connect();
redis?.on('error', () => {});
const client = createBitrix24Client({
  webhookUrl,
  allowInsecureHttp: true,
  rateLimit: bucket,
  ...(redis ? { store: createRedisStore(redis, { prefix }) } : {}),
});
const list = Array.from({ length: commands }, (_, i) => cmd.crm.lead.contact.add({ id: 1 + ((offset + i) % 100), fields: { CONTACT_ID: 1000 + offset + i } }));
// Listening before `ready`, so the parent's `go` cannot arrive unheard.
const go = new Promise((resolve) => process.once('message', resolve));
process.send?.({ type: 'ready' });
await go;
const out = await bulk(client, list);
process.send?.({ type: 'done', succeeded: out.filter((o) => o.ok).length }, () => {
  if (kind === 'ioredis') redis?.disconnect();
  else redis?.destroy();
  process.exit(0);
});
