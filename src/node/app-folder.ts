// A static app (a built folder, as a portal hosts an uploaded static app) served on an origin of its
// own, so the frame host can load it across origins as the portal does: GET and HEAD only (the host
// opens such an app with `mode=get`), files under the folder only, `index.html` for a directory.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { closeServer, listen } from './guarded-server.js';
import type { AppFolder } from '../sandbox/server-types.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The file a request path names inside `root`, or undefined when it leaves the folder or does not exist. */
export function fileIn(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  let file = resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the folder `dir` on `host` (default 127.0.0.1) and a free port (or `port`).
 *
 * @example
 * const app = await serveAppFolder('dist');
 * console.log(sandbox.frameUrl(app.url, { mode: 'get' }));
 */
export async function serveAppFolder(dir: string, { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<AppFolder> {
  const root = resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new TypeError(`serveAppFolder: ${dir} is not a folder.`);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('A static app is opened with GET: use the frame host with mode=get.');
      return;
    }
    const file = fileIn(root, new URL(req.url ?? '/', 'http://app.invalid').pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  const actualPort = await listen(server, port, host);
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`, close: () => closeServer(server) };
}
