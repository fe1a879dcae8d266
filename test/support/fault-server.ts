import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface Seen {
  method: string;
  path: string;
  body: string;
}

/** What a script does with the `index`-th request (0-based): answer, reset, stall… */
export type Script = (req: IncomingMessage, res: ServerResponse, seen: Seen, index: number) => unknown;

/** A scripted HTTP server on 127.0.0.1 and a free port that records every request it gets. */
export async function startFaultServer(script: Script) {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const entry = { method: req.method!, path: req.url!, body };
    seen.push(entry);
    await script(req, res, entry, seen.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers with JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A Bitrix24 `time` object; `extra` adds keys such as `operating_reset_at`. */
export const time = (extra: Record<string, number> = {}) => ({
  start: 1_000,
  finish: 1_000,
  duration: 0,
  date_start: '2024-05-03T17:19:01+03:00',
  date_finish: '2024-05-03T17:19:01+03:00',
  ...extra,
});

/** A success envelope. */
export const ok = (result: unknown = true, extra?: Record<string, number>) => ({ result, time: time(extra) });

/** A clock and sleep that never really wait: each sleep records its delay and moves the clock on. */
export function fakeClock(start = 1_700_000_000_000) {
  const waits: number[] = [];
  let clock = start;
  return {
    waits,
    now: () => clock,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      waits.push(ms);
      clock += ms;
    },
  };
}
