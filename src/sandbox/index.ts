// The Node entry of `b24-lead-contact/sandbox`. Browsers get ./browser.ts (same surface, no node:http).
export { startSandbox } from './http-server.js';
export * from './public-surface.js';
