// Posts event deliveries for a Node sandbox. The sandbox must not become a way to send requests to
// other hosts, so by default a post goes only to a loopback address: the name is resolved here and
// the address actually connected to is checked (a name that resolves to loopback once and elsewhere
// later gains nothing: the check is on the connection). Redirects are never followed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { DeliverFunction, DeliveryResult } from '../sandbox/event-delivery.js';
import { isLoopback } from './admin-exposure.js';
import { HandlerConnections, type PostOutcome, type PostTarget } from './handler-post.js';

/** Bytes of a handler's answer read before the connection is dropped (the answer itself is ignored). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** An address (not a name) on this machine's loopback: 127.0.0.0/8, ::1, or ::ffff:127.x.x.x. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) !== 0 && isLoopback(bare);
}

/**
 * Whether a post may go to `address`, reached by the name `host`: a loopback address always; any
 * address when the host is one the sandbox was told to allow.
 */
export function mayConnect(host: string, address: string, allowedHosts: readonly string[]): boolean {
  return isLoopbackAddress(address) || allowedHosts.includes(host.toLowerCase());
}

class Refused extends Error {}

/** A handler URL as a post needs it, read once per handler rather than per post. */
interface Target extends PostTarget {
  /** An IP address rather than a name: checked as written, no lookup. */
  literal: boolean;
}

/** Handlers read lately (a sandbox has few); past this many the memory starts again. */
const TARGETS_KEPT = 256;

function targetOf(handler: string): Target | undefined {
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    return undefined;
  }
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return {
    https,
    host,
    literal: isIP(host) !== 0,
    port: url.port ? Number(url.port) : https ? 443 : 80,
    hostHeader: url.host,
    path: `${url.pathname}${url.search}`,
  };
}

/** The deliverer `startSandbox` uses: loopback only, plus the host names in `hosts`. */
export function nodeDeliver({ hosts = [] }: { hosts?: readonly string[] } = {}): DeliverFunction {
  const allowed = hosts.map((host) => host.toLowerCase());
  const connections = new HandlerConnections();
  const targets = new Map<string, Target | undefined>();

  return async (delivery) => {
    let target = targets.get(delivery.url);
    if (target === undefined && !targets.has(delivery.url)) {
      if (targets.size >= TARGETS_KEPT) targets.clear();
      targets.set(delivery.url, (target = targetOf(delivery.url)));
    }
    if (!target) return { outcome: 'refused', reason: 'The handler is not a URL.' };
    const { host } = target;
    const refuse = (address: string) =>
      `The handler's address ${address} is not on loopback, and ${host} is not among the allowed handler hosts (handlerHosts).`;
    if (target.literal && !mayConnect(host, host, allowed)) return { outcome: 'refused', reason: refuse(host) };
    // A name is resolved here, and only addresses that may be reached are handed to the connection
    // (an address needs no lookup: it was checked above, and the connected peer is checked again).
    const lookup: LookupFunction | undefined = target.literal
      ? undefined
      : (name, options, callback) => {
          dnsLookup(name, { all: true, ...(options.family ? { family: options.family } : {}) }, (error, found) => {
            if (error) return (callback as (e: Error) => void)(error);
            const usable = (found as LookupAddress[]).filter((entry) => mayConnect(host, entry.address, allowed));
            if (usable.length === 0) return (callback as (e: Error) => void)(new Refused(refuse((found as LookupAddress[]).map((e) => e.address).join(', '))));
            if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
            else callback(null, usable[0]!.address, usable[0]!.family);
          });
        };
    const answer = await connections.post(target, delivery.body, {
      ...(lookup ? { lookup } : {}),
      mayReach: (address) => mayConnect(host, address, allowed),
      timeoutMs: delivery.timeoutMs,
      maxAnswerBytes: MAX_ANSWER_BYTES,
    });
    return resultOf(answer, delivery.timeoutMs, refuse);
  };
}

/** What the log says of a post's outcome: a 2xx is delivered; a redirect is never followed. */
export function resultOf(answer: PostOutcome, timeoutMs: number, refuse: (address: string) => string): DeliveryResult {
  switch (answer.kind) {
    case 'answered': {
      const { status } = answer;
      if (status >= 200 && status < 300) return { outcome: 'delivered', status };
      return { outcome: 'failed', status, reason: status >= 300 && status < 400 ? 'Redirects are not followed.' : `The handler answered HTTP ${status}.` };
    }
    case 'timeout':
      return { outcome: 'timeout', reason: `No answer within ${timeoutMs} ms.` };
    case 'refused':
      return { outcome: 'refused', reason: refuse(answer.address) };
    case 'failed':
      return answer.error instanceof Refused ? { outcome: 'refused', reason: answer.error.message } : { outcome: 'failed', reason: answer.error.message };
  }
}
