import { decodeRequest } from '../wire/decode-request.js';
import { DEFAULT_LIMITS } from '../wire/limits.js';
import { parseMethodUrl } from '../wire/method-url.js';
import { WireError } from '../wire/wire-error.js';
import { contract } from './contract-data.js';
import { DEFAULT_APP_LIMITS } from './app-limits.js';
import { OAuthAuthority } from './oauth.js';
import { createServerPortal, DEFAULT_SANDBOX_LIMITS, type PortalHost, type Sandbox, type SandboxOptions, type SandboxRequest } from './sandbox.js';
import { serverBudgets, type ServerBudgets } from './server-budget.js';

/** The webhook code of the portal a server starts with; OAuth calls go there unless routed elsewhere. */
export const DEFAULT_PORTAL = 'sandbox';
export const DEFAULT_MAX_PORTALS = 1000;

/** One portal of a shared sandbox server: an in-process sandbox plus the webhook URL that reaches it. */
export interface SandboxPortal extends Sandbox {
  /** The webhook code that selects this portal (`/rest/{userId}/{key}/`). */
  readonly key: string;
  /** `{url}/rest/1/{key}/`. */
  readonly webhookUrl: string;
}

/**
 * The portals of one sandbox server, keyed by the webhook code a client already sends in
 * `/rest/{userId}/{code}/`, so parallel test workers with their own webhook URLs never share state.
 * A portal is created from the server's options on first use. OAuth calls carry no code: they go to
 * the portal on which their token was last allowed or expired (`allowToken`, `expireToken`),
 * otherwise to the default portal.
 */
export class PortalRegistry {
  private readonly portals = new Map<string, SandboxPortal>();
  private readonly tokenPortals = new Map<string, string>();
  /** A portal as it is before its first call, for reads of codes never used; never counted, never called. */
  private pristine: Sandbox | undefined;
  /** What every portal of the server stores, counted together (`limits.maxServerBytes`, `maxServerJournalBytes`). */
  private readonly budgets: ServerBudgets;
  /** The server's one authorization server, shared by its portals as oauth.bitrix.info is. */
  readonly authority: OAuthAuthority;
  /** Added to the server's clock (`POST /__sandbox/clock`), so tokens expire without waiting. */
  private clockOffsetMs = 0;
  private readonly options: SandboxOptions;

  constructor(
    options: SandboxOptions,
    readonly maxPortals: number,
    private readonly webhookUrlOf: (key: string) => string,
  ) {
    const base = options.now ?? Date.now;
    this.options = { ...options, now: () => base() + this.clockOffsetMs };
    const serverAddress = this.addressReader(DEFAULT_PORTAL);
    this.authority = new OAuthAuthority(this.options.now!, options.limits ?? {}, () => serverAddress().endpoint);
    this.budgets = serverBudgets({ ...DEFAULT_SANDBOX_LIMITS, ...this.options.limits });
    this.portal(DEFAULT_PORTAL);
  }

  /** The server's clock as every portal reads it (ms). */
  now(): number {
    return this.options.now!();
  }

  /** Moves the server's clock forward, e.g. past an access token's hour. */
  advanceClock(ms: number) {
    this.clockOffsetMs += ms;
  }

  /**
   * `{origin}/rest/` of the server (the same for every portal) and the host, as read from a portal's
   * webhook URL (the origin is known once the server listens). Each event delivery's body names both,
   * so the URL is parsed again only when it changes, not per delivery.
   */
  private addressReader(key: string): () => { endpoint: string; host: string } {
    let last = { webhookUrl: '', endpoint: '', host: '' };
    return () => {
      const webhookUrl = this.webhookUrlOf(key);
      if (last.webhookUrl !== webhookUrl) {
        const parsed = new URL(webhookUrl);
        last = { webhookUrl, endpoint: new URL('/rest/', parsed).href, host: parsed.host };
      }
      return last;
    };
  }

  private hostOf(key: string): PortalHost {
    const address = this.addressReader(key);
    return {
      key,
      authority: this.authority,
      domain: () => address().host,
      clientEndpoint: () => address().endpoint,
      routeToken: (token) => this.routeToken(key, token),
    };
  }

  private routeToken(key: string, token: string) {
    // The default portal needs no route; a stale route elsewhere would win otherwise.
    if (key === DEFAULT_PORTAL) this.tokenPortals.delete(token);
    else this.tokenPortals.set(token, key);
    // Bounded like the portals' own token maps: past the cap the oldest route goes (that token then reaches the default portal).
    const cap = this.options.limits?.maxTokens ?? DEFAULT_APP_LIMITS.maxTokens;
    while (this.tokenPortals.size > cap) this.tokenPortals.delete(this.tokenPortals.keys().next().value as string);
  }

  get size(): number {
    return this.portals.size;
  }

  get defaultPortal(): SandboxPortal {
    return this.portal(DEFAULT_PORTAL);
  }

  /** The portal of a webhook code, created on first use; past `maxPortals` a Bitrix24-shaped 403. */
  portal(key: string): SandboxPortal {
    const existing = this.portals.get(key);
    if (existing) return existing;
    if (this.portals.size >= this.maxPortals) {
      throw new WireError(
        403,
        'SANDBOX_PORTAL_LIMIT',
        `This sandbox server holds at most ${this.maxPortals} portals (one per webhook code); remove one with DELETE /__sandbox/portal?portal=<code> or restart the server.`,
      );
    }
    const created = this.wrap(key, createServerPortal(this.options, this.budgets, this.hostOf(key)));
    this.portals.set(key, created);
    return created;
  }

  /**
   * The portal of a webhook code for a read: the portal if it exists, otherwise a view of a fresh one
   * (the seed, an empty journal) that is not kept, so reads of unknown codes never fill `maxPortals`.
   */
  lookup(key: string): SandboxPortal {
    const existing = this.portals.get(key);
    if (existing) return existing;
    this.pristine ??= createServerPortal(this.options, this.budgets);
    return this.wrap(key, this.pristine);
  }

  /** Forgets a portal and the tokens routed to it. The default portal cannot be removed (it is reset instead). */
  remove(key: string): boolean {
    if (key === DEFAULT_PORTAL) {
      this.defaultPortal.reset();
      return true;
    }
    this.forgetTokens(key);
    // Emptied first, so what it stored and journaled is given back to the server's budgets.
    this.portals.get(key)?.reset({});
    return this.portals.delete(key);
  }

  /** The portal that answers a request: by webhook code, else by OAuth token, else the default one. */
  portalFor(request: SandboxRequest): SandboxPortal {
    const target = parseMethodUrl(request.url);
    if (target?.form === 'webhook') return this.portal(target.webhookCode ?? '');
    if (target?.form === 'oauth' && this.tokenPortals.size > 0) {
      let token: string | undefined;
      try {
        // The same reading the portal will do, so a token in the query or the body routes as the portal sees it.
        const limits = { ...DEFAULT_LIMITS, ...this.options.limits };
        token = decodeRequest(contract, { httpMethod: request.method, target, contentType: request.contentType ?? '', body: request.body ?? '' }, limits).auth;
      } catch {
        // An unreadable request: the default portal answers it with the reason.
      }
      const key = token === undefined ? undefined : this.tokenPortals.get(token);
      if (key !== undefined) return this.portals.get(key) ?? this.defaultPortal;
    }
    return this.defaultPortal;
  }

  private forgetTokens(key: string) {
    for (const [token, owner] of this.tokenPortals) if (owner === key) this.tokenPortals.delete(token);
  }

  private wrap(key: string, engine: Sandbox): SandboxPortal {
    const routeToken = (token: string) => this.routeToken(key, token);
    const urlOf = this.webhookUrlOf;
    return {
      key,
      get webhookUrl() {
        return urlOf(key);
      },
      fetch: engine.fetch,
      handle: engine.handle,
      reset: (seed) => {
        engine.reset(seed);
        this.forgetTokens(key);
      },
      get calls() {
        return engine.calls;
      },
      get droppedCalls() {
        return engine.droppedCalls;
      },
      clearCalls: engine.clearCalls,
      lead: engine.lead,
      contact: engine.contact,
      snapshot: engine.snapshot,
      snapshotPage: engine.snapshotPage,
      fail: engine.fail,
      expireToken: (token) => {
        engine.expireToken(token);
        routeToken(token);
      },
      allowToken: (token, scopes) => {
        engine.allowToken(token, scopes);
        routeToken(token);
      },
      installApp: engine.installApp,
      authorizeApp: engine.authorizeApp,
      issueTokens: engine.issueTokens,
      get identity() {
        return engine.identity;
      },
      get deliveries() {
        return engine.deliveries;
      },
      get droppedDeliveries() {
        return engine.droppedDeliveries;
      },
      deliveriesIdle: engine.deliveriesIdle,
    };
  }
}
