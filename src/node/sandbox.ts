// The Node entry of `b24-lead-contact/sandbox`. Browsers get src/sandbox/browser.ts (same surface, no node:http).
import { createSandbox as createCoreSandbox, type Sandbox, type SandboxOptions } from '../sandbox/sandbox.js';
import { nodeDeliver } from './event-deliver.js';

export { startSandbox } from './sandbox-server.js';
export * from '../sandbox/public-surface.js';
export { serveAppFolder } from './app-folder.js';

/**
 * An in-process sandbox (see the browser entry) that also posts event deliveries, to loopback
 * handlers only unless `handlerHosts` names others.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return createCoreSandbox({ ...options, deliver: options.deliver ?? nodeDeliver({ hosts: options.handlerHosts ?? [] }) });
}
