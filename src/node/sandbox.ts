// The Node entry of `b24-lead-contact/sandbox`. Browsers get src/sandbox/browser.ts (same surface, no node:http).
export { startSandbox } from './sandbox-server.js';
export * from '../sandbox/public-surface.js';
export { serveAppFolder } from './app-folder.js';
