import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const VERIFY = fileURLToPath(new URL('../../scripts/verify.mjs', import.meta.url));

/** The environment without any real portal settings of the person running the tests. */
export function cleanEnv(extra: Record<string, string> = {}) {
  const env = { ...process.env };
  for (const name of ['B24_WEBHOOK_URL', 'B24_PORTAL', 'B24_ACCESS_TOKEN', 'B24_LEAD_ID']) delete env[name];
  return { ...env, ...extra };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/verify.mjs to the end. */
export function runVerify(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VERIFY, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts verify in proxy mode and resolves with its address once it listens. */
export function startVerifyProxy(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<Run> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VERIFY, '--proxy', '--port', '0', '--allow-http'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const closed = new Promise<Run>((done) => child.once('close', (code) => done({ code, stdout, stderr })));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /Proxy listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) resolve({ url: match[1]!, child, stop: () => (child.kill('SIGTERM'), closed) });
    });
    child.once('error', reject);
    void closed.then((run) => reject(new Error(`proxy exited early (${run.code}): ${run.stdout}${run.stderr}`)));
  });
}
