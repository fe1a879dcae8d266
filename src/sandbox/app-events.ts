// A portal's events: bindings, the offline queue and the delivery queue, fed by the record changes
// PortalState reports. Changes are gathered per request (a "hit", a batch included) and identical
// ones collapse, as the portal's event buffer does; they are queued after the request, never sent
// during it.
import { WireError } from '../wire/wire-error.js';
import type { AppLimits } from './app-limits.js';
import type { Credential } from './auth-check.js';
import { type Binding, EventBindings } from './event-bindings.js';
import { type DeliverFunction, DeliveryQueue, encodeForm } from './event-delivery.js';
import { handlerUrlProblem, maskUrl } from './handler-url.js';
import type { InstalledApp, OAuthAuthority, TokenPortal } from './oauth.js';
import { ListAnswer } from './list-query.js';
import { OfflineQueue } from './offline-queue.js';
import type { RecordChange } from './portal-state.js';
import { heapSize } from './heap-size.js';
import { BudgetedMap, ServerBudget } from './server-budget.js';

/** The app a plain token (one the sandbox did not issue) acts as: `event.*` works with any token. */
export const DEFAULT_APP = 'sandbox.app';

/** Rows per page of `event.offline.list` and the default `limit` of `event.offline.get`. */
const OFFLINE_PAGE = 50;

// biome-ignore lint/suspicious/noExplicitAny: parameters reach a handler only after the contract's validator accepted them
type Params = Record<string, any>;

/** Who made a request's changes: the user, and the app when an app token was used. */
interface Actor {
  userId: number;
}

const eventOf = (change: RecordChange) => `ONCRM${change.kind.toUpperCase()}${change.action}`;

/** The `event.*` methods the sandbox answers. */
export const EVENT_METHODS = ['event.bind', 'event.unbind', 'event.get', 'event.offline.get', 'event.offline.clear', 'event.offline.list'] as const;
export const isEventMethod = (method: string) => (EVENT_METHODS as readonly string[]).includes(method);

/** Bitrix24 reads `event.*` keys in any letter case; the contract names them in lower case. */
export function lowerKeys(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(out, lower) || key === lower) out[lower] = value;
  }
  return out;
}

/** A handler URL in journaled parameters and results of `event.*`: masked like in every log. */
export function maskEventValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(maskEventValue) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = key.toLowerCase() === 'handler' && typeof inner === 'string' ? maskUrl(inner) : maskEventValue(inner);
    return out as T;
  }
  return value;
}

export class PortalEvents {
  bindings: EventBindings;
  offline: OfflineQueue;
  readonly queue: DeliveryQueue;
  private hit: { actor: Actor; changes: Map<string, RecordChange> } | undefined;
  /** An access token per app and user for deliveries, reused until it is close to expiry. */
  private readonly deliveryTokens: BudgetedMap<string, { token: string; expiresAt: number; scope: string }>;

  constructor(
    private readonly limits: AppLimits,
    private readonly now: () => number,
    deliver: DeliverFunction | undefined,
    private readonly portal: TokenPortal,
    private readonly authority: OAuthAuthority,
    /** The server's budget for what apps leave; the queues and the log charge it. */
    private readonly budget: ServerBudget = new ServerBudget(limits.maxServerAppBytes),
  ) {
    this.deliveryTokens = new BudgetedMap(budget, (key, value) => heapSize([key, value]));
    this.bindings = new EventBindings(limits.maxHandlers, budget);
    this.offline = new OfflineQueue(limits.maxOfflineEvents, now, budget);
    this.queue = new DeliveryQueue(limits, now, deliver, budget);
  }

  /** Starts gathering the changes of one request. */
  begin(actor: Actor) {
    this.hit = { actor, changes: new Map() };
  }

  /** PortalState's observer. Outside a request (a seed) nothing is raised. */
  observe = (change: RecordChange) => {
    this.hit?.changes.set(`${change.kind} ${change.action} ${change.id}`, change);
  };

  /**
   * Runs one method of the request: the changes it reports are kept only if it succeeds, since a
   * change refused past a cap is undone (a refused `add` stores its record, then removes it) and a
   * portal raises nothing for it.
   */
  attempt<T>(run: () => T): T {
    const hit = this.hit;
    if (!hit) return run();
    const outer = hit.changes;
    const own = new Map<string, RecordChange>();
    hit.changes = own;
    try {
      const result = run();
      for (const [key, change] of own) outer.set(key, change);
      return result;
    } finally {
      hit.changes = outer;
    }
  }

  /** Ends the request: each gathered change goes to the online handlers' queue and the offline queue. */
  end() {
    const hit = this.hit;
    this.hit = undefined;
    if (!hit || hit.changes.size === 0) return;
    for (const change of hit.changes.values()) {
      const event = eventOf(change);
      const data = { FIELDS: { ID: change.id } };
      for (const binding of this.bindings.matching(event)) {
        if (binding.offline) this.offline.push(binding.clientId, binding.connector, event, data, hit.actor.userId);
        else this.post(binding, event, String(change.id), hit.actor);
      }
    }
  }

  /** Posts ONAPPINSTALL to the installer's handler, as a portal does once the app is installed. */
  announceInstall(handler: string, installed: InstalledApp) {
    const problem = handlerUrlProblem(handler);
    if (problem) throw new TypeError(`handler: ${problem}`);
    const body = encodeForm({
      event: 'ONAPPINSTALL',
      data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
      ts: Math.floor(this.now() / 1000),
      auth: {
        access_token: installed.access_token,
        expires: installed.expires,
        expires_in: installed.expires_in,
        scope: installed.scope,
        domain: this.portal.domain,
        server_endpoint: installed.server_endpoint,
        status: installed.status,
        client_endpoint: installed.client_endpoint,
        member_id: installed.member_id,
        user_id: installed.user_id,
        refresh_token: installed.refresh_token,
        application_token: installed.application_token,
      },
    });
    this.queue.enqueue({ url: handler, body, event: 'ONAPPINSTALL' });
  }

  private post(binding: Binding, event: string, recordId: string, actor: Actor) {
    const userId = binding.userId || actor.userId;
    const now = this.now();
    // Built when the delivery is sent (enqueueLater), with the clock of the change.
    // A missing token leaves its fields undefined, and encodeForm writes nothing for them.
    this.queue.enqueueLater({ url: binding.handler!, event, handlerId: binding.id, recordId }, () => {
      const token = this.deliveryToken(binding, userId);
      return encodeForm({
        event,
        event_handler_id: binding.id,
        data: { FIELDS: { ID: recordId } },
        ts: Math.floor(now / 1000),
        auth: {
          access_token: token?.token,
          expires: token && Math.floor(token.expiresAt / 1000),
          expires_in: token && Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
          scope: token?.scope,
          domain: this.portal.domain,
          server_endpoint: this.authority.serverEndpointUrl,
          status: 'L',
          client_endpoint: this.portal.clientEndpoint,
          member_id: this.portal.memberId,
          user_id: token && userId,
          application_token: this.portal.applicationToken(binding.clientId),
        },
      });
    });
  }

  /** An access token of the binding's app for the user (apps the authorization server knows only). */
  private deliveryToken(binding: Binding, userId: number) {
    if (!this.authority.knows(binding.clientId)) return undefined;
    const key = `${binding.clientId} ${userId}`;
    const cached = this.deliveryTokens.get(key);
    // Reused while it has a quarter of its hour left, so a burst of changes mints one token.
    if (cached && cached.expiresAt - this.now() > 15 * 60 * 1000) return cached;
    const pair = this.authority.issue(this.portal, binding.clientId, { scopes: ['crm'], userId });
    const fresh = { token: pair.access_token, expiresAt: pair.expires * 1000, scope: pair.scope };
    this.deliveryTokens.set(key, fresh);
    // A cache keyed by user ids a webhook URL names freely: bounded like the tokens it holds (a dropped one is minted again).
    while (this.deliveryTokens.size > 1 && (this.deliveryTokens.size > this.limits.maxTokens || this.budget.over)) {
      this.deliveryTokens.delete(this.deliveryTokens.keys().next().value as string);
    }
    return fresh;
  }

  /** Runs one `event.*` method for the calling credential. */
  call(method: string, params: Params, credential: Credential): unknown {
    const clientId = credential.app?.clientId ?? DEFAULT_APP;
    switch (method) {
      case 'event.bind': {
        const offline = params.event_type === 'offline';
        this.bindings.bind({
          clientId,
          event: String(params.event),
          ...(params.handler === undefined ? {} : { handler: String(params.handler) }),
          ...(params.auth_type === undefined || params.auth_type === '' ? {} : { userId: Number(params.auth_type) || 0 }),
          offline,
          ...(params.auth_connector === undefined ? {} : { connector: String(params.auth_connector) }),
          ...(credential.scopes ? { scopes: credential.scopes } : {}),
        });
        return true;
      }
      case 'event.unbind':
        return {
          count: this.bindings.unbind({
            clientId,
            event: String(params.event),
            ...(params.handler === undefined ? {} : { handler: String(params.handler) }),
            ...(params.auth_type === undefined || params.auth_type === '' ? {} : { userId: Number(params.auth_type) || 0 }),
            offline: params.event_type === 'offline',
          }),
        };
      case 'event.get':
        return this.bindings
          .of(clientId)
          .map((b) =>
            b.offline
              ? { event: b.event, connector_id: b.connector, offline: 1 }
              : { event: b.event, handler: b.handler, auth_type: String(b.userId), offline: 0 },
          );
      case 'event.offline.get': {
        const limit = params.limit === undefined ? OFFLINE_PAGE : Number(params.limit);
        return this.offline.get(clientId, String(params.auth_connector ?? ''), {
          limit,
          clear: params.clear === undefined ? true : Number(params.clear) === 1,
          ...(params.process_id ? { processId: String(params.process_id) } : {}),
          error: Number(params.error ?? 0) === 1,
        });
      }
      case 'event.offline.clear':
        return this.offline.clear(
          clientId,
          String(params.process_id),
          Array.isArray(params.id) ? params.id.map(String) : undefined,
          Array.isArray(params.message_id) ? params.message_id.map(String) : undefined,
        );
      case 'event.offline.list': {
        const start = Number(params.start ?? 0);
        const page = this.offline.list(clientId, start, OFFLINE_PAGE);
        // A page and the count, without `next` (the docs show none; inferred).
        return new ListAnswer(page.rows, page.total);
      }
    }
    throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
  }

  /** Back to no bindings, no queued events, no log. */
  clear() {
    this.hit = undefined;
    this.deliveryTokens.clear();
    this.queue.clear();
    this.bindings.release();
    this.bindings = new EventBindings(this.limits.maxHandlers, this.budget);
    this.offline.release();
    this.offline = new OfflineQueue(this.limits.maxOfflineEvents, this.now, this.budget);
  }
}
