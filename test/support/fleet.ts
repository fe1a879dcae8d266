// Starts worker processes (test/support/fleet-worker.mjs) and collects their reports.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kind } from './redis.js';

const WORKER = fileURLToPath(new URL('./fleet-worker.mjs', import.meta.url));

/** What a worker is told to do; see fleet-worker.mjs. */
export interface WorkerSettings {
  kind: Kind;
  redisUrl: string | null;
  storeOptions?: { prefix?: string; timeoutMs?: number; lockTimeoutMs?: number; retryAfterMs?: number };
  connection: { webhookUrl: string } | { portal: string; accessToken: string; refreshToken: string };
  tokenUrl?: string;
  rateLimit?: false | { drainPerSecond: number; burst: number };
  retry?: false | { attempts: number; baseDelayMs: number; maxDelayMs: number };
  calls: number;
  hangInRefresh?: boolean;
}

/** What a worker reports when its calls are done. */
export interface WorkerReport {
  /** 'ok' or the error code of each call. */
  outcomes: string[];
  /** How often this process called onTokenExpired. */
  exchanges: number;
  /** What onTokensRefreshed received in this process. */
  refreshed: Array<{ accessToken: string; refreshToken?: string }>;
  storeErrors: Array<{ operation: string; message: string }>;
}

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves when the worker reports `in-refresh` (with hangInRefresh). */
  inRefresh: Promise<void>;
  go(): void;
  done: Promise<WorkerReport>;
}

export function startWorker(settings: WorkerSettings): Worker {
  const child = fork(WORKER, [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const on = (type: string) => new Promise<any>((resolve) => child.on('message', (m: any) => m.type === type && resolve(m)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before reporting`))),
  );
  // Each may never be awaited (a worker killed on purpose): the rejection is handled here, still seen by awaiters.
  const either = <T>(message: Promise<T>) => {
    const settled = Promise.race([message, exited]);
    settled.catch(() => {});
    return settled;
  };
  return {
    child,
    ready: either(on('ready')),
    inRefresh: either(on('in-refresh')),
    go: () => child.send('go'),
    done: either(on('done')),
  };
}

/** Starts one worker per settings, waits until all are ready, then lets them go at once. */
export async function runFleet(all: WorkerSettings[]): Promise<WorkerReport[]> {
  const workers = all.map(startWorker);
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    return await Promise.all(workers.map((w) => w.done));
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}
