import type { SandboxPortal } from './portal-registry.js';
import type { SandboxOptions } from './sandbox.js';

/** How long a sandbox server waits for a slow or stalled caller before it cuts the connection. */
export interface ServerTimeouts {
  /** The request line and headers must arrive within this. Default 10 000 ms. */
  headersMs?: number;
  /** The whole request (headers and body) must arrive within this. Default 30 000 ms. */
  requestMs?: number;
  /** Longest pause between two pieces of a body; a stalled upload gets 408 and is cut. Default 5 000 ms. */
  bodyIdleMs?: number;
  /** An answer the caller has not read whole within this is dropped with its connection. Default 30 000 ms. */
  drainMs?: number;
}

export interface StartSandboxOptions extends SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Most portals (distinct webhook codes) the server keeps; past it a new code gets 403 `SANDBOX_PORTAL_LIMIT`. Default 1000. */
  maxPortals?: number;
  timeouts?: ServerTimeouts;
  /**
   * The token the admin API (`/__sandbox/`) requires, as `X-Sandbox-Token` or `Authorization: Bearer`;
   * 16 to 512 visible ASCII characters. Listening beyond loopback always requires one: without this
   * option a random one is made (read it from `adminToken` of the running sandbox). On loopback none
   * is required unless given.
   */
  adminToken?: string;
}

/**
 * A sandbox served over HTTP. The members of {@link Sandbox} act on the default portal (webhook code
 * `sandbox`, and OAuth calls); `portal(code)` reaches the portal of any other webhook code.
 */
export interface RunningSandbox extends SandboxPortal {
  /** `http://{host}:{port}`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** `{url}/rest/` for OAuth clients (`createBitrix24Client({ portal: url, accessToken })` builds it itself). */
  readonly oauthUrl: string;
  /** `{url}/__sandbox/`, the admin API. */
  readonly adminUrl: string;
  /** The token the admin API requires, or undefined when it requires none (loopback without `adminToken`). */
  readonly adminToken: string | undefined;
  /**
   * The frame host's address for an app (`{url}/__sandbox/frame?app=…`): open it in a browser to run
   * the app in a portal-like frame (see docs/frame.md). `options` are the placement options, e.g. `{ ID: '1' }`.
   */
  frameUrl(
    app: string,
    options?: { placement?: string; options?: Record<string, unknown>; lang?: string; mode?: 'post' | 'get'; portal?: string; clientId?: string },
  ): string;
  /** The portal of a webhook code (`/rest/{userId}/{code}/`), created on first use. */
  portal(code: string): SandboxPortal;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A static app folder served on an origin of its own (`serveAppFolder`). */
export interface AppFolder {
  /** `http://{host}:{port}/`: pass it as the frame host's `app`, with `mode: 'get'`. */
  readonly url: string;
  close(): Promise<void>;
}
