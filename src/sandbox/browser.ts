// The browser entry of `b24-lead-contact/sandbox` (the `browser` export condition): the in-process
// sandbox for MSW or a custom fetch, without node:http. startSandbox keeps its type and explains itself.
import { createSandbox as createCoreSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
import type { AppFolder, RunningSandbox, StartSandboxOptions } from './server-types.js';

export * from './public-surface.js';

/** An in-process sandbox. In a browser it posts no event deliveries unless you pass `deliver`. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return createCoreSandbox(options);
}

/** Serving over HTTP needs Node; in a browser use `createSandbox()` with `sandbox.fetch` or `b24-lead-contact/msw`. */
export function startSandbox(_options?: StartSandboxOptions): Promise<RunningSandbox> {
  return Promise.reject(
    new Error(
      'startSandbox needs Node (node:http) and is not available in a browser; use createSandbox() with sandbox.fetch, or sandboxHandlers() from b24-lead-contact/msw.',
    ),
  );
}

/** Serving a folder needs Node; in a browser there is nothing to serve it from. */
export function serveAppFolder(_dir: string, _options?: { host?: string; port?: number }): Promise<AppFolder> {
  return Promise.reject(new Error('serveAppFolder needs Node (node:http) and is not available in a browser.'));
}
