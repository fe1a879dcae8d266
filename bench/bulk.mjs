// Bulk linking at the rate-limit bound: N link commands through client.bulk against a loopback portal
// that enforces the leaky bucket, with the client's limiter set to the same numbers.
import { serveInChild } from './serve.mjs';

/**
 * The fastest a bucket lets `requests` through, starting empty: `burst` at once, then one per
 * 1/drain seconds, so the last one goes at (requests − burst) / drain seconds.
 */
export const bucketBoundMs = (requests, { drainPerSecond, burst }) => (Math.max(0, requests - burst) / drainPerSecond) * 1000;

/** Runs `run(webhookUrl)` against a fresh bucket-enforcing server and reads the server's counters. */
async function against(bucket, commands, run) {
  const server = await serveInChild(bucket);
  try {
    const started = performance.now();
    const succeeded = await run(server.webhookUrl);
    const wallMs = performance.now() - started;
    const stats = await server.stats();
    const boundRequests = Math.ceil(commands / 50);
    const boundMs = bucketBoundMs(boundRequests, bucket);
    return {
      boundRequests,
      requests: stats.requests,
      rejected503: stats.rejected,
      largestBatch: stats.largestBatch,
      succeeded,
      wallMs: Math.round(wallMs),
      boundMs: Math.round(boundMs),
      ratioToBound: Number((wallMs / boundMs).toFixed(3)),
    };
  } finally {
    await server.close();
  }
}

/**
 * @param {{ ours: any, commands?: number, bucket?: { drainPerSecond: number, burst: number }, log?: (line: string) => void }} options
 */
export async function measureBulk({ ours, commands = 10_000, bucket = { drainPerSecond: 20, burst: 10 }, log = () => {} }) {
  const params = Array.from({ length: commands }, (_, i) => ({ id: 1 + (i % 100), fields: { CONTACT_ID: 1000 + i } }));
  const rows = [];

  rows.push({
    name: 'b24-lead-contact',
    note: `bulk(client, cmd…), rateLimit: { drainPerSecond: ${bucket.drainPerSecond}, burst: ${bucket.burst} }`,
    ...(await against(bucket, commands, async (webhookUrl) => {
      const client = ours.createBitrix24Client({ webhookUrl, allowInsecureHttp: true, rateLimit: bucket });
      const list = params.map((p) => ours.cmd.crm.lead.contact.add(p));
      let lastLogged = 0;
      const started = performance.now();
      const out = await ours.bulk(client, list, {
        onProgress: ({ done, total }) => {
          if (done - lastLogged >= total / 4 || done === total) {
            lastLogged = done;
            log(`  ${done}/${total} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
          }
        },
      });
      return out.filter((o) => o.ok).length;
    })),
  });

  log('  @bitrix24/b24jssdk batchByChunk…');
  const { B24Hook } = await import('@bitrix24/b24jssdk');
  rows.push({
    name: '@bitrix24/b24jssdk',
    note: `actions.v2.batchByChunk, restrictionParams.rateLimit { burstLimit: ${bucket.burst}, drainRate: ${bucket.drainPerSecond} }`,
    ...(await against(bucket, commands, async (webhookUrl) => {
      // Typed loosely: the benchmark reaches into the SDK's HTTP client, which its typings do not describe.
      const sdk = /** @type {any} */ (
        new B24Hook(
          { b24Url: new URL(webhookUrl).origin, userId: 1, secret: 'benchwebhookcode' },
          { restrictionParams: { rateLimit: { burstLimit: bucket.burst, drainRate: bucket.drainPerSecond, adaptiveEnabled: false } } },
        )
      );
      sdk.getHttpClient('v2').ajaxClient.interceptors.request.use((config) => ({ ...config, url: config.url.replace('https://', 'http://') }));
      const response = await sdk.actions.v2.batchByChunk.make({
        calls: params.map((p) => ['crm.lead.contact.add', p]),
        options: { isHaltOnError: false },
      });
      return response.getData().length;
    })),
  });

  rows.push({
    name: '@2bad/bitrix',
    note: `not run: its queue is fixed at 2 requests/s whatever the portal allows, so ≥ ${Math.ceil(commands / 50) / 2} s for ${Math.ceil(commands / 50)} requests`,
    boundRequests: Math.ceil(commands / 50),
    requests: null,
    rejected503: null,
    succeeded: null,
    wallMs: null,
    boundMs: Math.round(bucketBoundMs(Math.ceil(commands / 50), bucket)),
    ratioToBound: null,
  });
  return { commands, bucket, rows };
}
