// Starts bench/bitrix-server.mjs in its own Node process, so the server does not share an event loop
// (or a CPU core's time slices) with the client being measured.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const serverScript = fileURLToPath(new URL('./bitrix-server.mjs', import.meta.url));

/**
 * @param {{ drainPerSecond: number, burst: number }} [bucket]
 * @returns {Promise<{ origin: string, webhookUrl: string, pid: number, stats(): Promise<any>, reset(): Promise<void>, close(): Promise<void> }>}
 */
export async function serveInChild(bucket) {
  const args = bucket ? ['--drain', String(bucket.drainPerSecond), '--burst', String(bucket.burst)] : [];
  const child = spawn(process.execPath, [serverScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const { origin } = JSON.parse(line);
  return {
    origin,
    webhookUrl: `${origin}/rest/1/benchwebhookcode/`,
    pid: /** @type {number} */ (child.pid),
    stats: () => fetch(`${origin}/__stats`).then((r) => r.json()),
    reset: () => fetch(`${origin}/__reset`, { method: 'POST' }).then(() => undefined),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
