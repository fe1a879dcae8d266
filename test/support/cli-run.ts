// The sandbox CLI as a user runs it: the compiled bin from dist (npm test builds first), in its own
// process, read as its output arrives. Call killClis() after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/lib/src/node/cli.js', import.meta.url));
const children: ChildProcess[] = [];

/** Stops every CLI started since the last call. */
export function killClis() {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** Starts `b24-lead-contact …args`; `B24_SANDBOX_ADMIN_TOKEN` is not inherited, only given through `env`. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  const { B24_SANDBOX_ADMIN_TOKEN: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** Resolves once `pattern` has been printed on that stream (the two pipes arrive in no fixed order). */
  async function printed(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const match = pattern.exec(stream === 'stdout' ? stdout : stderr);
      if (match) return match;
      if (child.exitCode !== null) throw new Error(`the CLI exited with ${child.exitCode}: ${stderr}`);
      await new Promise((resolve) => {
        child[stream]!.once('data', resolve);
        child.once('exit', resolve);
      });
    }
  }
  /** The address it listens on, once the whole start-up text (up to "Press Ctrl+C") is printed. */
  const url = async () => (await printed('stdout', /listening on (http:\/\/\S+)[\s\S]*Press Ctrl\+C/))[1]!;
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    printed,
    url,
    port: async () => Number(new URL(await url()).port),
  };
}
