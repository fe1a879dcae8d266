// In-portal apps for the frame host tests, served by a stand-in dev server on its own loopback port:
// an unmodified app on the official SDK's published browser build, an app on b24-lead-contact/frame
// (src/ bundled by esbuild for the browser), both in one frame, and a page of a foreign origin that
// posts one message to the top window. The server answers GET and POST (as a dev server that takes
// the portal's form) and keeps the form fields each POST brought.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Frame, Page } from 'playwright-core';
import { bundlePageScript } from './bundle.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const SDK = readFileSync(new URL('../../node_modules/@bitrix24/b24jssdk/dist/umd/index.min.js', import.meta.url));

/** Every message the frame receives, by its callback id (the part before the first `:`), never its payload. */
const RECORD_IDS = `window.received = []; addEventListener('message', (e) => window.received.push(String(e.data).split(':')[0]));`;

/** The app on b24-lead-contact/frame: it connects on load and keeps the outcome on window. */
const OURS = `
import { connectFrame } from './src/frame.ts';
import { createBitrix24Client } from './src/index.ts';
window.ours = { createBitrix24Client };
window.connected = connectFrame().then((frame) => (window.frame = frame), (error) => { window.failure = error; throw error; });
window.connected.catch(() => {});
`;

export interface AppServer {
  /** `http://localhost:{port}{path}` (the app's origin) or, with `foreign`, `http://127.0.0.1:{port}{path}` (another origin). */
  url(path: string, foreign?: boolean): string;
  /** The form fields of each POST, by path. */
  posts: Array<{ path: string; fields: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  const ours = await bundlePageScript(OURS);
  const oursHtml = `<!doctype html><title>ours</title><script>${RECORD_IDS}</script><script type="module">${ours}</script>`;
  const pages: Record<string, string> = {
    '/sdk/': `<!doctype html><title>sdk</title><script>${RECORD_IDS}</script><script src="/b24jssdk.js"></script>
<script>window.sdk = B24Js.initializeB24Frame().then((b24) => (window.sdkApp = b24)); window.sdk.catch((e) => (window.failure = e));</script>`,
    '/ours/': oursHtml,
    '/both/': `<!doctype html><title>both</title><script>${RECORD_IDS}</script><script src="/b24jssdk.js"></script>
<script>window.sdk = B24Js.initializeB24Frame().then((b24) => (window.sdkApp = b24));</script><script type="module">${ours}</script>`,
    // Posts the message in its fragment to the top window (the frame host), as any other page could.
    '/foreign/': `<!doctype html><title>foreign</title><script>top.postMessage(decodeURIComponent(location.hash.slice(1)), '*');</script>`,
  };
  const posts: AppServer['posts'] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://app.invalid').pathname;
    if (path === '/b24jssdk.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(SDK);
    const page = pages[path];
    if (!page) return void res.writeHead(404).end();
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST') posts.push({ path, fields: Object.fromEntries(new URLSearchParams(body)) });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path, foreign = false) => `http://${foreign ? '127.0.0.1' : 'localhost'}:${port}${path}`,
    posts,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Builds examples/lead-card-tab into a fresh folder, as `npm run example:lead-tab` does; resolves with the folder. */
export async function buildLeadTabExample(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'b24-lead-tab-'));
  const example = join(ROOT, 'examples', 'lead-card-tab');
  await build({
    entryPoints: [join(example, 'app.ts'), join(example, 'index.html')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    loader: { '.html': 'copy' },
    outdir,
    logLevel: 'warning',
  });
  return outdir;
}

/** The app's frame inside a frame host page, once its document has loaded and `ready` holds there. */
export async function appFrame(page: Page, path: RegExp, ready: () => unknown): Promise<Frame> {
  const frame = await waitForFrame(page, path);
  await frame.waitForFunction(ready);
  return frame;
}

async function waitForFrame(page: Page, path: RegExp): Promise<Frame> {
  for (;;) {
    const found = page.frames().find((frame) => path.test(frame.url()));
    if (found) return found;
    await page.waitForEvent('framenavigated');
  }
}
