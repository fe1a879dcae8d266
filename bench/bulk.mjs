// Bulk linking at the rate-limit bound: N link commands through client.bulk against a loopback portal
// that enforces the leaky bucket, with the client's limiter set to the same numbers.
import { serveInChild } from './serve.mjs';

/**
 * The fastest a bucket lets `requests` through, starting empty: `burst` at once, then one per
 * 1/drain seconds, so the last one goes at (requests − burst) / drain seconds.
 */
export const bucketBoundMs = (requests, { drainPerSecond, burst }) => (Math.max(0, requests - burst) / drainPerSecond) * 1000;

/**
 * @param {{ ours: any, commands?: number, bucket?: { drainPerSecond: number, burst: number }, log?: (line: string) => void }} options
 */
export async function measureBulk({ ours, commands = 10_000, bucket = { drainPerSecond: 20, burst: 10 }, log = () => {} }) {
  const server = await serveInChild(bucket);
  try {
    const client = ours.createBitrix24Client({ webhookUrl: server.webhookUrl, allowInsecureHttp: true, rateLimit: bucket });
    const list = Array.from({ length: commands }, (_, i) => ours.cmd.crm.lead.contact.add({ id: 1 + (i % 100), fields: { CONTACT_ID: 1000 + i } }));
    let lastLogged = 0;
    const started = performance.now();
    const out = await client.bulk(list, {
      onProgress: ({ done, total }) => {
        if (done - lastLogged >= total / 4 || done === total) {
          lastLogged = done;
          log(`  ${done}/${total} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
        }
      },
    });
    const wallMs = performance.now() - started;
    const stats = await server.stats();
    const boundRequests = Math.ceil(commands / 50);
    const boundMs = bucketBoundMs(boundRequests, bucket);
    return {
      commands,
      bucket,
      boundRequests,
      requests: stats.requests,
      rejected503: stats.rejected,
      largestBatch: stats.largestBatch,
      succeeded: out.filter((o) => o.ok).length,
      wallMs: Math.round(wallMs),
      boundMs: Math.round(boundMs),
      ratioToBound: Number((wallMs / boundMs).toFixed(3)),
    };
  } finally {
    await server.close();
  }
}
