// A sandbox portal that enforces Bitrix24's request bucket, for the tests that pace a client (or a fleet
// of them) against it. What the portal received is read from its journal.
import { startSandbox, type RunningSandbox, type SandboxPortal, type StartSandboxOptions } from '../../src/node/sandbox.js';

/** The client's limiter and the portal's bucket in the client's words; the sandbox calls the size `threshold`. */
export interface Bucket {
  drainPerSecond: number;
  burst: number;
}

/** Leads 1 and 2, contacts 1000–1199: room for the link calls the tests make (contact 404 does not exist). */
export const BUCKET_PORTAL_SEED = { leads: [1, 2], contacts: Array.from({ length: 200 }, (_, i) => 1000 + i) };

/** A sandbox on loopback whose portals enforce `bucket` (none without it). */
export function startBucketPortal(bucket?: Bucket, options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({
    seed: BUCKET_PORTAL_SEED,
    ...(bucket ? { rateLimit: { drainPerSecond: bucket.drainPerSecond, threshold: bucket.burst } } : {}),
    ...options,
  });
}

/** What a portal's journal shows: HTTP requests, those refused with 503, and the batch requests it ran with their commands. */
export function tally(portal: SandboxPortal) {
  const requests = portal.calls.filter((call) => call.batchKey === undefined);
  const batches = requests.filter((call) => call.method === 'batch' && call.status === 200);
  return {
    requests: requests.length,
    rejected: requests.filter((call) => call.status === 503).length,
    batches: batches.length,
    commands: portal.calls.length - requests.length,
    largestBatch: Math.max(0, ...batches.map((call) => Object.keys(call.params.cmd as object).length)),
  };
}
