// The local mock: Prism serves the bundled contract on a private loopback port, and a front server on
// the public port reads every URL and body form real Bitrix24 clients send with the shared wire layer,
// hands Prism the bare `/{method}` path and a JSON body it understands, and turns Prism's own error
// bodies into Bitrix24's error shape. A dev tool: Prism is a dev dependency, so this is not shipped.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, createGuardedServer, listen, sendError, type PeerTimeouts } from '../node/guarded-server.js';
import type { Contract } from '../wire/contract.js';
import { decodeRequest } from '../wire/decode-request.js';
import { DEFAULT_LIMITS, type WireLimits } from '../wire/limits.js';
import { requireMethodUrl } from '../wire/method-url.js';
import { WireError } from '../wire/wire-error.js';
import { checkPrefer } from './prefer-check.js';

export interface MockOptions {
  port?: number;
  host?: string;
  /** A docs page to serve at `/`. */
  docsFile?: string;
  /** More docs files to serve, by URL path (`/ru/`, `/openapi.ru.yaml`, …): the whole docs site. */
  docsFiles?: Record<string, string>;
  /** The bundled contract (JSON or YAML file Prism reads). */
  spec: string;
  /** The Prism CLI entry script. */
  prismCli: string;
  limits?: Partial<WireLimits>;
  timeouts?: Partial<PeerTimeouts>;
}

/** The content type of a docs-site file, by its extension. */
function docsContentType(path: string): string {
  if (path.endsWith('.json')) return 'application/json; charset=utf-8';
  if (path.endsWith('.yaml')) return 'application/yaml; charset=utf-8';
  return 'text/html; charset=utf-8';
}

export interface RunningMock {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Turns Prism's `sl-violations` header into one Bitrix24-style message naming each field and rule. */
export function describePrismViolations(header: string): string {
  const violations = (JSON.parse(header) as Array<{ severity: string; message: string }>).filter((v) => v.severity === 'Error');
  return violations.map((v) => v.message.replace(/^Request body property /, '').replace(/^Request body /, 'body ')).join('; ');
}

/** The readable part of a Prism problem document (`detail`, else `title`). */
function parseProblem(text: string): string {
  try {
    const { detail, title } = JSON.parse(text) as { detail?: unknown; title?: unknown };
    return String(detail || title || 'no reason given').slice(0, 300);
  } catch {
    return 'no reason given';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Resolves once Prism answers, or rejects once it exits. No deadline: on a busy machine Prism took
 * longer than any fixed budget to load the contract, and a Prism that fails to start exits.
 */
async function waitForPrism(origin: string, child: ReturnType<typeof spawn>) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Prism exited with ${child.exitCode ?? child.signalCode}`);
    try {
      await fetch(`${origin}/`, { method: 'GET' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts Prism and the front server; resolves once both answer. */
export async function startMock(options: MockOptions): Promise<RunningMock> {
  const { port = 4010, host = '127.0.0.1', docsFile, docsFiles = {}, spec } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const contract = JSON.parse(readFileSync(spec.replace(/\.ya?ml$/, '.json'), 'utf8')) as Contract;
  const prismPort = await freePort();
  const prism = spawn(process.execPath, [options.prismCli, 'mock', '--host', '127.0.0.1', '--port', String(prismPort), '--errors', 'false', spec], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Never leave an orphaned Prism behind, whatever way this process ends.
  const killPrism = () => prism.kill();
  process.once('exit', killPrism);
  let prismStderr = '';
  prism.stderr!.on('data', (chunk) => {
    prismStderr = (prismStderr + chunk).slice(-4000);
  });
  const prismOrigin = `http://127.0.0.1:${prismPort}`;
  try {
    await waitForPrism(prismOrigin, prism);
  } catch (error) {
    prism.kill();
    process.removeListener('exit', killPrism);
    throw new Error(`${(error as Error).message}\n${prismStderr}`);
  }

  /** Reads one request with the wire layer and relays it to Prism as JSON on the bare path. */
  async function relay(req: IncomingMessage, body: string) {
    const target = requireMethodUrl(req.url ?? '/');
    const call = decodeRequest(contract, { httpMethod: req.method ?? 'GET', target, contentType: String(req.headers['content-type'] ?? ''), body }, limits);
    if (target.form === 'oauth' && !call.auth) {
      throw new WireError(401, 'NO_AUTH_FOUND', 'Wrong authorization data: send the access token as the auth parameter.');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const prefer = req.headers.prefer;
    if (prefer) {
      checkPrefer(contract, target.method, String(prefer));
      headers.prefer = String(prefer);
    }
    const response = await fetch(`${prismOrigin}/${target.method}`, { method: 'POST', headers, body: JSON.stringify(call.params) });
    const text = await response.text();
    const violations = response.headers.get('sl-violations');
    if (response.status === 400 && violations && !prefer) {
      throw new WireError(400, '', `Invalid parameters of ${target.method}: ${describePrismViolations(violations)}`);
    }
    if (response.status === 404 && !prefer) throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', `Method not found: ${target.method}`);
    if (/^application\/problem\+json/i.test(response.headers.get('content-type') ?? '')) {
      // Prism's own error (not an answer from the contract): in Bitrix24's shape, and never a 500.
      const problem = parseProblem(text);
      throw new WireError(response.status < 500 ? response.status : 502, 'MOCK_ERROR', `The mock could not answer ${target.method}: ${problem}`);
    }
    return { status: response.status, text, type: response.headers.get('content-type') ?? 'application/json' };
  }

  const server = createGuardedServer(
    // Browser apps under development call the mock from another origin (a dev server, a file:// page).
    {
      maxBodyBytes: limits.maxBodyBytes,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      cors: { methods: 'GET, POST', headers: 'content-type, accept, prefer' },
    },
    async (req, res, body) => {
      try {
        if (docsFile && (req.url === '/' || req.url === '/docs' || req.url === '/docs/')) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(readFileSync(docsFile));
          return;
        }
        const docsPath = req.url?.split(/[?#]/)[0] ?? '';
        if (Object.hasOwn(docsFiles, docsPath)) {
          res.writeHead(200, { 'content-type': docsContentType(docsPath) });
          res.end(readFileSync(docsFiles[docsPath]!));
          return;
        }
        const answer = await relay(req, body);
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(req.method === 'HEAD' ? undefined : answer.text);
      } catch (error) {
        sendError(req, res, error);
      }
    },
  );
  let actualPort: number;
  try {
    actualPort = await listen(server, port, host);
  } catch (error) {
    prism.kill();
    process.removeListener('exit', killPrism);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(`Port ${port} on ${host} is already in use; set PORT to a free one, e.g. PORT=${port + 1}.`);
    throw error;
  }
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}`,
    async close() {
      process.removeListener('exit', killPrism);
      prism.kill();
      await closeServer(server);
    },
  };
}
