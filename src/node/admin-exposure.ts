// Who may drive a sandbox server's admin API. The Bitrix24 routes stay open to every origin (browser
// apps under development need that); the admin API reads every portal's journal and can re-seed or
// delete any portal, so it answers only requests that are addressed to this server (DNS rebinding),
// that no web page of another origin sent (a `text/plain` POST needs no preflight), and, once the
// server listens beyond loopback, that carry the admin token. No I/O: the server passes the headers in.
import { createHash, timingSafeEqual } from 'node:crypto';
import { WireError } from '../wire/wire-error.js';

/** How a server's admin API is exposed, fixed once it listens. */
export interface AdminExposure {
  /** The port the server listens on (what the `Host` header must name, with a loopback host). */
  port: number;
  /** Host names (lowercase, IPv6 in brackets) a `Host` header may carry; empty when any is accepted. */
  hosts: readonly string[];
  /** The token every admin request must carry, or undefined when none is required. */
  token?: string;
}

/** The request headers the policy reads, as Node gives them (lowercase names). */
export type AdminHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Fetch Metadata values a browser sends when a page did not start the request on another origin. */
const OWN_SITES = new Set(['same-origin', 'none']);
const TOKEN_HEADER = 'x-sandbox-token';

/** Whether a listen address reaches this machine only: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopback(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(bare);
  return v4 !== null && v4[1] === '127' && v4.slice(1).every((part) => Number(part) <= 255);
}

/**
 * The exposure of a server listening on `host:port`. On loopback the `Host` header must name a
 * loopback address of this port (DNS rebinding gives a page another name for 127.0.0.1), and a token
 * is required only if one was given. Beyond loopback the token is always required, and it is what
 * defeats rebinding there: such a server is reached under names it cannot know (a container's
 * service name, a LAN name), so any `Host` is accepted.
 */
export function adminExposure(host: string, port: number, token?: string): AdminExposure {
  if (!isLoopback(host)) {
    if (token === undefined) throw new TypeError('A sandbox that listens beyond loopback needs an admin token.');
    return { port, hosts: [], token };
  }
  const own = host.toLowerCase().includes(':') && !host.startsWith('[') ? `[${host.toLowerCase()}]` : host.toLowerCase();
  return { port, hosts: [...new Set(['localhost', '127.0.0.1', '[::1]', own])], ...(token === undefined ? {} : { token }) };
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const shown = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** Splits a `Host` header into a lowercase host name and a port (80 when absent), or undefined when unreadable. */
function hostOf(header: string): { name: string; port: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? 80 : Number(match[2]) };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares digests in constant time, so timing tells nothing about how much of the token was right. */
const sameToken = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

function tokenOf(headers: AdminHeaders): string | undefined {
  const header = first(headers[TOKEN_HEADER]);
  if (header !== undefined) return header.trim();
  const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(first(headers.authorization) ?? '');
  return bearer?.[1];
}

/**
 * Whether an admin request may be served: undefined when it may, otherwise the Bitrix24-shaped
 * refusal (403 for a foreign `Host` or origin, 401 for a missing or wrong token). Never echoes a token.
 */
export function refuseAdmin(headers: AdminHeaders, exposure: AdminExposure): WireError | undefined {
  const hostHeader = first(headers.host);
  if (exposure.hosts.length > 0) {
    const host = hostHeader === undefined ? undefined : hostOf(hostHeader);
    if (!host || host.port !== exposure.port || !exposure.hosts.includes(host.name)) {
      const names = exposure.hosts.map((name) => `${name}:${exposure.port}`).join(', ');
      return new WireError(
        403,
        'SANDBOX_HOST_REFUSED',
        `The admin API answers only requests addressed to this server (Host ${names}), got Host ${hostHeader === undefined ? '(none)' : shown(hostHeader)}; another name for a loopback address is how DNS rebinding reaches it.`,
      );
    }
  }
  const site = first(headers['sec-fetch-site']);
  const origin = first(headers.origin);
  if ((site !== undefined && !OWN_SITES.has(site.toLowerCase())) || (origin !== undefined && origin.toLowerCase() !== `http://${hostHeader?.toLowerCase()}`)) {
    return new WireError(
      403,
      'SANDBOX_CROSS_ORIGIN',
      `The admin API does not answer web pages of another origin${origin === undefined ? '' : ` (Origin ${shown(origin)})`}; call it from your test code or a terminal.`,
    );
  }
  if (exposure.token !== undefined) {
    const given = tokenOf(headers);
    if (given === undefined) {
      return new WireError(
        401,
        'SANDBOX_TOKEN_REQUIRED',
        'This sandbox requires its admin token for /__sandbox/: send it as X-Sandbox-Token: <token> or Authorization: Bearer <token> (the CLI prints it at start).',
      );
    }
    if (!sameToken(given, exposure.token))
      return new WireError(401, 'SANDBOX_TOKEN_INVALID', 'The admin token does not match the one this sandbox was started with.');
  }
  return undefined;
}

/** Checks a given admin token: long enough to resist guessing, and sendable in a header. */
export function checkAdminToken(token: unknown, name = 'adminToken'): string {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{16,512}$/.test(token)) {
    throw new TypeError(`${name} must be 16 to 512 visible ASCII characters without spaces`);
  }
  return token;
}
