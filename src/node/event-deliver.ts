// Posts event deliveries for a Node sandbox. The sandbox must not become a way to send requests to
// other hosts, so by default a post goes only to a loopback address: the name is resolved here and
// the address actually connected to is checked (a name that resolves to loopback once and elsewhere
// later gains nothing: the check is on the connection). Redirects are never followed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import type { DeliverFunction, DeliveryResult } from '../sandbox/event-delivery.js';
import { isLoopback } from './admin-exposure.js';

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

/** What a post needs of a handler URL, read once per handler rather than per post. */
interface Target {
  https: boolean;
  /** The host name or address, without IPv6 brackets, in lower case. */
  host: string;
  /** An IP address rather than a name: checked as written, no lookup. */
  literal: boolean;
  port: number;
  path: string;
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
  return { https, host, literal: isIP(host) !== 0, port: url.port ? Number(url.port) : https ? 443 : 80, path: `${url.pathname}${url.search}` };
}

/** The deliverer `startSandbox` uses: loopback only, plus the host names in `hosts`. */
export function nodeDeliver({ hosts = [] }: { hosts?: readonly string[] } = {}): DeliverFunction {
  const allowed = hosts.map((host) => host.toLowerCase());
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const targets = new Map<string, Target | undefined>();

  return (delivery) =>
    new Promise<DeliveryResult>((resolve) => {
      let target = targets.get(delivery.url);
      if (target === undefined && !targets.has(delivery.url)) {
        if (targets.size >= TARGETS_KEPT) targets.clear();
        targets.set(delivery.url, (target = targetOf(delivery.url)));
      }
      if (!target) {
        resolve({ outcome: 'refused', reason: 'The handler is not a URL.' });
        return;
      }
      const { host, https } = target;
      const refuse = (address: string) =>
        `The handler's address ${address} is not on loopback, and ${host} is not among the allowed handler hosts (handlerHosts).`;
      if (target.literal && !mayConnect(host, host, allowed)) {
        resolve({ outcome: 'refused', reason: refuse(host) });
        return;
      }
      // A name is resolved here, and only addresses that may be reached are handed to the connection
      // (an address literal needs no lookup: it was checked above, and the connected peer is checked below).
      const lookup: LookupFunction | undefined = target.literal
        ? undefined
        : (name, options, callback) => {
            dnsLookup(name, { all: true, ...(options.family ? { family: options.family } : {}) }, (error, found) => {
              if (error) return (callback as (e: Error) => void)(error);
              const usable = (found as LookupAddress[]).filter((entry) => mayConnect(host, entry.address, allowed));
              if (usable.length === 0)
                return (callback as (e: Error) => void)(new Refused(refuse((found as LookupAddress[]).map((e) => e.address).join(', '))));
              if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
              else callback(null, usable[0]!.address, usable[0]!.family);
            });
          };
      let settled = false;
      const finish = (result: DeliveryResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = (https ? httpsRequest : httpRequest)({
        protocol: https ? 'https:' : 'http:',
        host,
        port: target.port,
        path: target.path,
        method: 'POST',
        agent: https ? agents.https : agents.http,
        ...(lookup ? { lookup } : {}),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(delivery.body),
          'user-agent': 'Bitrix24 Webhook Engine',
        },
      });
      const timer = setTimeout(() => {
        request.destroy();
        finish({ outcome: 'timeout', reason: `No answer within ${delivery.timeoutMs} ms.` });
      }, delivery.timeoutMs);
      const checkSocket = (socket: Socket) => {
        // The last word: the peer this socket really reached.
        const peer = socket.remoteAddress;
        if (peer !== undefined && !mayConnect(host, peer, allowed)) {
          request.destroy();
          finish({ outcome: 'refused', reason: refuse(peer) });
        }
      };
      request.on('socket', (socket: Socket) => {
        if (socket.remoteAddress !== undefined) checkSocket(socket);
        else socket.once(https ? 'secureConnect' : 'connect', () => checkSocket(socket));
      });
      request.on('response', (response: IncomingMessage) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const done = () =>
          finish(
            status >= 200 && status < 300
              ? { outcome: 'delivered', status }
              : { outcome: 'failed', status, reason: status >= 300 && status < 400 ? 'Redirects are not followed.' : `The handler answered HTTP ${status}.` },
          );
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      });
      request.on('error', (error) => {
        finish(error instanceof Refused ? { outcome: 'refused', reason: error.message } : { outcome: 'failed', reason: error.message });
      });
      request.end(delivery.body);
    });
}
