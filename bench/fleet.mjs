// Several worker processes linking commands against one loopback portal that enforces the leaky
// bucket: each process pacing itself (its own limiter) against all of them sharing one bucket in Redis.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bucketBoundMs } from './bulk.mjs';
import { hasRedisServer, startRedisServer } from '../test/support/redis-server.mjs';
import { serveInChild } from './serve.mjs';

/** Bundles the worker with src/ (dependencies such as ioredis stay imports), so the run does not depend on dist/lib. */
async function buildWorker(root, outDir) {
  const outfile = join(outDir, 'fleet-worker.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'fleet-worker.mjs')],
    bundle: true,
    packages: 'external',
    alias: { 'b24-lead-contact/redis': join(root, 'src', 'redis.ts'), 'b24-lead-contact': join(root, 'src', 'index.ts') },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Starts the workers, lets them go together once all are ready, and measures until the last is done. */
async function runWorkers(workerFile, settings) {
  const children = settings.map((each) => fork(workerFile, [JSON.stringify(each)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const next = (child, type) =>
    new Promise((resolve, reject) => {
      child.on('message', (m) => m.type === type && resolve(m));
      child.once('exit', (code) => reject(new Error(`fleet worker exited with ${code}`)));
    });
  try {
    await Promise.all(children.map((child) => next(child, 'ready')));
    const done = children.map((child) => next(child, 'done'));
    const started = performance.now();
    for (const child of children) child.send('go');
    const reports = await Promise.all(done);
    return { wallMs: performance.now() - started, succeeded: reports.reduce((sum, r) => sum + r.succeeded, 0) };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/**
 * @param {{ root: string, outDir: string, workers?: number, commandsPerWorker?: number, bucket?: { drainPerSecond: number, burst: number }, log?: (line: string) => void }} options
 */
export async function measureFleet({ root, outDir, workers = 4, commandsPerWorker = 2500, bucket = { drainPerSecond: 20, burst: 10 }, log = () => {} }) {
  const workerFile = await buildWorker(root, outDir);
  const total = workers * commandsPerWorker;
  const boundRequests = Math.ceil(total / 50);
  const boundMs = bucketBoundMs(boundRequests, bucket);
  const redis = hasRedisServer ? await startRedisServer() : undefined;
  const variants = [
    {
      name: 'per-process limiters (no store)',
      kind: 'ioredis',
      redisUrl: null,
      note: `each process: rateLimit { drainPerSecond: ${bucket.drainPerSecond}, burst: ${bucket.burst} }, default retry`,
    },
    {
      name: 'shared store: createRedisStore(ioredis)',
      kind: 'ioredis',
      redisUrl: redis?.url,
      note: 'the same options plus store; one bucket in Redis for all processes',
    },
    { name: 'shared store: createRedisStore(node-redis)', kind: 'redis', redisUrl: redis?.url, note: 'the same, with a node-redis 5 client' },
  ];
  const rows = [];
  try {
    for (const [index, variant] of variants.entries()) {
      if (variant.redisUrl === undefined) {
        rows.push({
          ...variant,
          boundRequests,
          requests: null,
          rejected503: null,
          succeeded: null,
          wallMs: null,
          boundMs: Math.round(boundMs),
          ratioToBound: null,
          note: 'not run: no redis-server',
        });
        continue;
      }
      log(`  ${variant.name}…`);
      const server = await serveInChild(bucket);
      try {
        const settings = Array.from({ length: workers }, (_, w) => ({
          kind: variant.kind,
          redisUrl: variant.redisUrl,
          prefix: `bench-${index}:`,
          webhookUrl: server.webhookUrl,
          bucket,
          commands: commandsPerWorker,
          offset: w * commandsPerWorker,
        }));
        const { wallMs, succeeded } = await runWorkers(workerFile, settings);
        const stats = await server.stats();
        rows.push({
          name: variant.name,
          note: variant.note,
          boundRequests,
          requests: stats.requests,
          rejected503: stats.rejected,
          succeeded,
          wallMs: Math.round(wallMs),
          boundMs: Math.round(boundMs),
          ratioToBound: Number((wallMs / boundMs).toFixed(3)),
        });
      } finally {
        await server.close();
      }
    }
  } finally {
    await redis?.stop();
  }
  return { workers, commandsPerWorker, total, bucket, rows };
}
