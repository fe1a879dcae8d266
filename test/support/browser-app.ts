// One harness for the tests that run our code in Chromium: bundle a page script from src/ with esbuild
// for the browser platform (a Node built-in anywhere in the graph fails the build), serve it from its
// own loopback origin, open it in headless Chromium and wait until the page says it is ready.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { bundlePageScript } from './bundle.js';
import { launchChromium } from './chromium.js';

export interface BrowserApp {
  page: Page;
  /** Uncaught exceptions in the page (Chromium also logs each documented 4xx answer as a console error; those are not here). */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Opens `script` (TypeScript, imports resolved from the repository root) as a page. `files` are served
 * beside it by path (e.g. MSW's `/mockServiceWorker.js`); `ready` runs in the page and is awaited.
 */
export async function openBrowserApp(
  script: string,
  { files = {}, ready }: { files?: Record<string, { type: string; body: string | Buffer }>; ready: () => unknown },
): Promise<BrowserApp> {
  const html = `<!doctype html><title>app</title><script type="module">${await bundlePageScript(script)}</script>`;
  // An origin of its own: calls to a local server are cross-origin, as from a dev server.
  const server: Server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (file) res.writeHead(200, { 'content-type': file.type }).end(file.body);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(ready);
    return { page, pageErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}
