import { requestValidators } from '../../generated/validators.js';
import { decodeRequest } from '../wire/decode-request.js';
import { DEFAULT_LIMITS, type WireLimits } from '../wire/limits.js';
import { requireMethodUrl, type MethodTarget } from '../wire/method-url.js';
import { readBodyText, tooLarge } from '../wire/read-body.js';
import { describeViolations, violationsOf } from '../wire/violations.js';
import { toErrorAnswer, WireError } from '../wire/wire-error.js';
import { checkAuth, requireScope, type AuthOptions, type Credential } from './auth-check.js';
import {
  type AppCredentials,
  type AppTokenGrant,
  type InstalledApp,
  OAuthAuthority,
  type TokenPair,
  randomHex,
  readTokenForm,
  type TokenPortal,
} from './oauth.js';
import { runBatch } from './batch-runner.js';
import { DEFAULT_JOURNAL_LIMITS, Journal, type JournalLimits, type SandboxCall } from './journal.js';
import { changeWithinCaps, DEFAULT_RECORD_LIMITS, RecordLedger, type RecordLimits } from './record-caps.js';
import { BudgetedMap, serverBudgets, type ServerBudgets } from './server-budget.js';
import { DEFAULT_APP_LIMITS, type AppLimits } from './app-limits.js';
import { isEventMethod, lowerKeys, maskEventValue, PortalEvents } from './app-events.js';
import type { DeliverFunction, DeliveryAttempt } from './event-delivery.js';
import { processRestActivity } from './delivery-gate.js';
import { contract, documentedError, documentedErrorNames } from './contract-data.js';
import {
  ADMIN_PAGE_BYTES,
  answerTooLarge,
  DEFAULT_ANSWER_LIMITS,
  OperatingBudget,
  RequestBucket,
  type AnswerLimits,
  type BucketPlan,
  type OperatingLimit,
} from './limits.js';
import { ListAnswer } from './list-query.js';
import { methodHandlers } from './methods.js';
import { DEFAULT_SEED, PortalState, type Seed } from './portal-state.js';
import { handlerUrlProblem } from './handler-url.js';
import { responseTime } from './response-time.js';
import { statePage, type StatePage } from './state-page.js';
import { jsonSize } from '../wire/json-size.js';
import { heapSize } from './heap-size.js';

export interface SandboxOptions {
  /** Records the portal starts with (and returns to on `reset()`). Default: the records the contract's examples use. */
  seed?: Seed;
  /** Which credentials are accepted. Default: any webhook code and any OAuth token, with every scope. */
  auth?: AuthOptions;
  /** The portal's request-rate bucket (503 `QUERY_LIMIT_EXCEEDED`). Default off. */
  rateLimit?: false | BucketPlan;
  /** Per-method run-time budget per credential (429 `OPERATION_TIME_LIMIT`). Default off. */
  operatingLimit?: false | OperatingLimit;
  /** Delay before each answer, fixed or uniformly random in a range. Default none. */
  latencyMs?: number | { min: number; max: number };
  /** Caps on request size, nesting, parameter count, batch expansion and the journal. */
  limits?: Partial<SandboxLimits>;
  /** Millisecond clock for the bucket, budgets, `time` and token expiry. Default `Date.now`. */
  now?: () => number;
  /**
   * Sends event deliveries. `startSandbox` and the Node `createSandbox` pass one that posts only to
   * loopback addresses (and `handlerHosts`); without one (a browser) deliveries are journaled as
   * `not-sent`.
   */
  deliver?: DeliverFunction;
  /** Host names (besides loopback addresses) event handlers may be on, for the Node deliverer. Default none. */
  handlerHosts?: string[];
}

/**
 * Where a portal lives when a server holds many (portal-registry.ts): its key, the server's shared
 * authorization server, its addresses, and how its tokens are routed to it. Internal.
 */
export interface PortalHost {
  key: string;
  authority: OAuthAuthority;
  /** The portal's address without scheme (`auth[domain]`). */
  domain(): string;
  /** `{origin}/rest/`. */
  clientEndpoint(): string;
  /** Called when a token becomes valid on this portal, so the server routes its calls here. */
  routeToken(token: string): void;
}

/** Where the portal and its authorization server say they are when no server hosts them. */
const IN_PROCESS_DOMAIN = 'sandbox.bitrix24.test';

/** An app to install: its credentials, and the URL that receives `ONAPPINSTALL` (optional). */
export interface AppInstall extends AppCredentials {
  handler?: string;
}

export type { SandboxCall };

/** Every cap of a sandbox: what one request and one answer may be, how much of the journal and of records each portal keeps, what its apps' events may hold. */
export interface SandboxLimits extends WireLimits, JournalLimits, RecordLimits, AnswerLimits, AppLimits {}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  ...DEFAULT_LIMITS,
  ...DEFAULT_JOURNAL_LIMITS,
  ...DEFAULT_RECORD_LIMITS,
  ...DEFAULT_ANSWER_LIMITS,
  ...DEFAULT_APP_LIMITS,
});

/** A fault to inject: a documented error example by name (`'queryLimitExceeded'`) or any status and body. */
export type Fault = string | { status: number; error: string; error_description?: string };

/** A link as `items.get` shows it. */
export interface LinkView {
  CONTACT_ID: number;
  SORT: number;
  IS_PRIMARY: 'Y' | 'N';
}

export interface SandboxRequest {
  method: string;
  url: string;
  contentType?: string;
  body?: string;
}

export interface SandboxAnswer {
  status: number;
  body: unknown;
}

export interface Sandbox {
  /** Answers Bitrix24 requests in-process: pass it as the client's `fetch`. */
  readonly fetch: typeof globalThis.fetch;
  /** Answers one request already read off the wire (what the HTTP front and MSW use). */
  handle(request: SandboxRequest): Promise<SandboxAnswer>;
  /** Back to the seed (or to a new one): records, journal, faults, counters. */
  reset(seed?: Seed): void;
  /** The journal: the latest calls, batch commands included, oldest first (bounded by `limits.maxJournalEntries` and `maxJournalBytes`). */
  readonly calls: readonly SandboxCall[];
  /** Entries dropped from the journal (oldest first) to keep it within its caps, since it was last emptied. */
  readonly droppedCalls: number;
  /** Empties the journal and nothing else. */
  clearCalls(): void;
  /** A lead with its links sorted as `items.get` returns them, or undefined. */
  lead(id: number): { id: number; fields: Record<string, unknown>; contacts: LinkView[] } | undefined;
  /** A contact's fields, or undefined. */
  contact(id: number): { id: number; fields: Record<string, unknown> } | undefined;
  /** The whole state as plain data. */
  snapshot(): { leads: Array<NonNullable<ReturnType<Sandbox['lead']>>>; contacts: Array<NonNullable<ReturnType<Sandbox['contact']>>> };
  /**
   * One page of the snapshot, as `GET /__sandbox/state` answers it: records from position `start`
   * (leads by id, then contacts by id), at most `limit` of them and about 8 MiB of JSON (one at least).
   */
  snapshotPage(page?: { start?: number; limit?: number }): StatePage;
  /** Makes the next `times` calls of `method` (`'*'` for any) fail with `fault`. */
  fail(method: string, fault: Fault, options?: { times?: number }): void;
  /** Makes an accepted OAuth token answer 401 `expired_token` from now on. */
  expireToken(token: string): void;
  /** Accepts an OAuth token (e.g. one your test's refresh handler issues), with the given scopes (default `crm`). */
  allowToken(token: string, scopes?: string[]): void;
  /**
   * Installs an app on this portal as Bitrix24 does: answers its first token pair (the access token
   * expires on the sandbox clock after `expires_in` seconds; `/oauth/token/` refreshes it), its
   * `application_token`, `member_id` and `domain`.
   */
  installApp(app: AppInstall): InstalledApp;
  /**
   * A new token pair for an app already installed on this portal (any portal of the same server), for
   * the user `userId` (default 1): what a frame or a user's authorization would hand the app.
   */
  issueTokens(clientId: string, options?: { userId?: number; scopes?: string[] }): TokenPair;
  /** An authorization code for an app on this portal, to exchange at `/oauth/token/` with `grant_type=authorization_code` within 30 s. */
  authorizeApp(app: AppCredentials): { code: string; domain: string; member_id: string };
  /** Event deliveries tried on this portal, oldest first: event, handler (path masked), outcome (bounded by `limits.maxDeliveryLog`). */
  readonly deliveries: readonly DeliveryAttempt[];
  /** Attempts dropped from `deliveries` (oldest first) to keep it within its cap. */
  readonly droppedDeliveries: number;
  /**
   * Resolves when no delivery is queued or in flight: every one so far has its outcome in
   * `deliveries`. Deliveries held while calls go on (`limits.maxDeliveryDelayMs`) are sent at once.
   */
  deliveriesIdle(): Promise<void>;
  /** This portal's `member_id` and `domain`, as tokens and deliveries carry them. */
  readonly identity: { member_id: string; domain: string; client_endpoint: string };
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Limits where 0 means "none" rather than a cap. */
const MAY_BE_ZERO = new Set<string>(['maxDeliveryDelayMs']);

function checkLimits(limits: SandboxLimits) {
  for (const [name, value] of Object.entries(limits)) {
    const zero = MAY_BE_ZERO.has(name);
    if (!Number.isInteger(value) || value < (zero ? 0 : 1))
      throw new TypeError(`limits.${name} must be a ${zero ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
  }
}

/**
 * A stateful, in-process Bitrix24 portal for the `crm.lead.contact.*` methods, their records and
 * `batch`: every request is validated against the bundled contract and answered in Bitrix24's shape.
 *
 * @example
 * const sandbox = createSandbox();
 * const client = createBitrix24Client({ webhookUrl: 'https://sandbox.bitrix24.test/rest/1/code/', fetch: sandbox.fetch });
 * await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } });
 * sandbox.lead(2)?.contacts; // [{ CONTACT_ID: 1020, SORT: 10, IS_PRIMARY: 'Y' }]
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return createServerPortal(options);
}

/**
 * A sandbox that is one portal of a server: its records, its journal and what its apps leave are
 * charged to `server`, which every portal of that server shares (`limits.maxServerBytes`,
 * `maxServerJournalBytes`, `maxServerAppBytes`).
 * `createSandbox` is a server of one portal.
 */
export function createServerPortal(options: SandboxOptions, server?: ServerBudgets, host?: PortalHost): Sandbox {
  const now = options.now ?? Date.now;
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
  checkLimits(limits);
  let seed = options.seed ?? DEFAULT_SEED;
  let state = new PortalState(seed, now);
  const shared = server ?? serverBudgets(limits);
  const ledger = new RecordLedger(shared.records);
  ledger.recount(state);
  const calls = new Journal(limits, shared.journals);
  const faults: Array<{ method: string; error: WireError; remaining: number }> = [];
  const expired = new Set<string>(options.auth?.expiredTokens ?? []);
  const allowed = new Map<string, string[]>();
  // Charged to the server's app budget: a token, its grant and the map's slot.
  const grants = new BudgetedMap<string, AppTokenGrant>(shared.apps, (token, grant) => heapSize([token, grant]));
  const authority = host?.authority ?? new OAuthAuthority(now, limits);
  const memberId = randomHex();
  const domain = host ? host.domain : () => IN_PROCESS_DOMAIN;
  const clientEndpoint = host ? host.clientEndpoint : () => `https://${IN_PROCESS_DOMAIN}/rest/`;
  /** The app's `application_token` on this portal, by client id. */
  const applicationTokens = new Map<string, string>();
  const tokenPortal: TokenPortal = {
    memberId,
    get domain() {
      return domain();
    },
    get clientEndpoint() {
      return clientEndpoint();
    },
    grantToken(token, grant) {
      expired.delete(token);
      allowed.delete(token);
      // Past the cap the oldest grant goes: its token then answers NO_AUTH_FOUND, as an unknown one does.
      if (grants.size >= limits.maxTokens) grants.delete(grants.keys().next().value as string);
      grants.set(token, grant);
      // Past the server's budget this portal's oldest grants go too (the new one stays).
      while (shared.apps.over && grants.size > 1) grants.delete(grants.keys().next().value as string);
      host?.routeToken(token);
    },
    applicationToken(clientId) {
      let token = applicationTokens.get(clientId);
      if (token === undefined) {
        applicationTokens.set(clientId, (token = randomHex()));
      }
      return token;
    },
  };
  const events = new PortalEvents(limits, now, options.deliver, tokenPortal, authority, shared.apps);
  state.onRecordChange = events.observe;
  let bucket = options.rateLimit ? new RequestBucket(options.rateLimit, now) : undefined;
  let budgets = new Map<string, OperatingBudget>();

  // Handler addresses in event.* parameters and results are masked like in every log.
  const journal = (entry: SandboxCall) => calls.add(entry.method.startsWith('event.') ? maskEventValue(entry) : entry);

  function takeFault(method: string): WireError | undefined {
    const index = faults.findIndex((fault) => fault.method === method || fault.method === '*');
    if (index < 0) return undefined;
    const fault = faults[index]!;
    if (--fault.remaining <= 0) faults.splice(index, 1);
    return fault.error;
  }

  /** Runs one method (not `batch`) against the state; throws a WireError for a documented failure. */
  function runMethod(method: string, givenParams: Record<string, unknown>, credential: Credential) {
    const started = now();
    const eventMethod = isEventMethod(method);
    // Only an app may bind events: an incoming webhook gets WRONG_AUTH_TYPE (401 inferred from the module source).
    if (eventMethod && credential.key.startsWith('webhook')) {
      throw new WireError(401, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
    }
    const params = eventMethod ? lowerKeys(givenParams) : givenParams;
    // Checked per method, so a batch cannot run commands its credential has no scope for.
    requireScope(credential.scopes, method);
    const fault = takeFault(method);
    if (fault) throw fault;
    const handler = eventMethod
      ? (_state: PortalState, eventParams: Record<string, unknown>) => events.call(method, eventParams, credential)
      : Object.hasOwn(methodHandlers, method)
        ? methodHandlers[method]
        : undefined;
    if (!handler) throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    const validate = requestValidators[method];
    if (validate && !validate(params)) {
      throw new WireError(400, '', `Invalid parameters of ${method}: ${describeViolations(violationsOf(validate.errors))}`);
    }
    let budget: OperatingBudget | undefined;
    if (options.operatingLimit) {
      const key = `${credential.key} ${method}`;
      budget = budgets.get(key) ?? new OperatingBudget(options.operatingLimit, now);
      budgets.set(key, budget);
      budget.check();
    }
    const outcome = events.attempt(() => changeWithinCaps(method, params, state, ledger, limits, () => handler(state, params)));
    // A list method's page carries `total` and `next` beside `result`.
    const [result, paging] = outcome instanceof ListAnswer ? [outcome.result, outcome.paging()] : [outcome, {}];
    return { result, paging, time: responseTime(started, now(), budget?.spend()) };
  }

  /** An answer is measured before any front builds it: past `maxAnswerBytes` it is refused, never written. */
  function withinAnswerCap(method: string, body: unknown): SandboxAnswer {
    if (jsonSize(body, limits.maxAnswerBytes) > limits.maxAnswerBytes) throw answerTooLarge(method, limits.maxAnswerBytes);
    return { status: 200, body };
  }

  function answer(target: MethodTarget, params: Record<string, unknown>, credential: Credential, parameterCount: number): SandboxAnswer {
    if (target.method !== 'batch') {
      const { result, paging, time } = runMethod(target.method, params, credential);
      const answered = withinAnswerCap(target.method, { result, ...paging, time });
      journal({ method: target.method, params, status: 200, result });
      return answered;
    }
    const started = now();
    const fault = takeFault('batch');
    if (fault) throw fault;
    const validate = requestValidators.batch;
    if (validate && !validate(params)) throw new WireError(400, '', `Invalid parameters of batch: ${describeViolations(violationsOf(validate.errors))}`);
    const result = runBatch(
      params,
      {
        run(method, commandParams, batchKey) {
          try {
            const outcome = runMethod(method, commandParams, credential);
            journal({ method, params: commandParams, status: 200, result: outcome.result, batchKey });
            const { operating: _o, operating_reset_at: _r, ...time } = outcome.time;
            return { result: outcome.result, time, ...outcome.paging };
          } catch (error) {
            const { status, body } = toErrorAnswer(error);
            journal({ method, params: commandParams, status, error: body, batchKey });
            throw error;
          }
        },
        refused(method, commandParams, batchKey, error) {
          journal({ method, params: commandParams, status: 400, error, batchKey });
        },
      },
      limits,
      parameterCount,
    );
    const answered = withinAnswerCap('batch', { result, time: responseTime(started, now()) });
    journal({ method: 'batch', params, status: 200, result });
    return answered;
  }

  async function handle(request: SandboxRequest): Promise<SandboxAnswer> {
    let method = '';
    let params: Record<string, unknown> = {};
    try {
      await delay();
      if (isTokenPath(request.url)) return authority.answer(readTokenForm(request.url, request.contentType ?? '', request.body ?? ''));
      const target = requireMethodUrl(request.url);
      method = target.method;
      if (target.form === 'bare') throw new WireError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
      const decoded = decodeRequest(contract, { httpMethod: request.method, target, contentType: request.contentType ?? '', body: request.body ?? '' }, limits);
      params = decoded.params;
      const credential = checkAuth(options.auth, target, decoded, { expired, allowed, grants, now });
      bucket?.take();
      events.begin({ userId: credential.app?.userId ?? (Number(target.userId) || 1) });
      return answer(target, params, credential, decoded.parameterCount);
    } catch (error) {
      const { status, body } = toErrorAnswer(error);
      journal({ method, params, status, error: body });
      return { status, body };
    } finally {
      // After the answer is built: the changes are queued, and sent once the process is quiet (delivery-gate.ts).
      events.end();
      processRestActivity.answered();
    }
  }

  async function delay() {
    const latency = options.latencyMs;
    if (!latency) return;
    const ms = typeof latency === 'number' ? latency : latency.min + Math.random() * (latency.max - latency.min);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  const sandboxFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let request: SandboxRequest;
    try {
      request = await readRequest(input, init, limits.maxBodyBytes);
    } catch (error) {
      const { status, body } = toErrorAnswer(error);
      return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
    }
    const { status, body } = await handle(request);
    return new Response(request.method.toUpperCase() === 'HEAD' ? null : JSON.stringify(body), { status, headers: JSON_HEADERS });
  };

  const linkView = (leadId: number): LinkView[] =>
    state.sortedLinks(leadId).map((link) => ({ CONTACT_ID: link.contactId, SORT: link.sort, IS_PRIMARY: link.primary ? 'Y' : 'N' }));

  const sandbox: Sandbox = {
    fetch: sandboxFetch as typeof globalThis.fetch,
    handle,
    reset(newSeed) {
      // Built before anything changes: a seed that cannot be built leaves the portal as it was.
      state = new PortalState(newSeed ?? seed, now);
      state.onRecordChange = events.observe;
      if (newSeed) seed = newSeed;
      ledger.recount(state);
      events.clear();
      calls.clear();
      faults.length = 0;
      expired.clear();
      for (const token of options.auth?.expiredTokens ?? []) expired.add(token);
      allowed.clear();
      grants.clear();
      applicationTokens.clear();
      bucket = options.rateLimit ? new RequestBucket(options.rateLimit, now) : undefined;
      budgets = new Map();
    },
    get calls() {
      return calls.calls;
    },
    get droppedCalls() {
      return calls.dropped;
    },
    clearCalls() {
      calls.clear();
    },
    lead(id) {
      const lead = state.leads.get(id);
      return lead && { id, fields: structuredClone(lead.fields), contacts: linkView(id) };
    },
    contact(id) {
      const contact = state.contacts.get(id);
      return contact && { id, fields: structuredClone(contact.fields) };
    },
    snapshot() {
      return {
        leads: [...state.leads.keys()].sort((a, b) => a - b).map((id) => sandbox.lead(id)!),
        contacts: [...state.contacts.keys()].sort((a, b) => a - b).map((id) => sandbox.contact(id)!),
      };
    },
    snapshotPage(page = {}) {
      const read = { lead: (id: number) => sandbox.lead(id)!, contact: (id: number) => sandbox.contact(id)! };
      return statePage(state.leads.sortedIds(), state.contacts.sortedIds(), read, page, ADMIN_PAGE_BYTES);
    },
    fail(method, fault, { times = 1 } = {}) {
      if (!Number.isInteger(times) || times < 1) throw new TypeError(`times must be a positive integer, got ${String(times)}`);
      const error = typeof fault === 'string' ? documentedError(fault) : new WireError(fault.status, fault.error, fault.error_description ?? '');
      if (typeof fault !== 'string' && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)) {
        throw new TypeError(
          `A fault's status must be an HTTP error status (400–599), got ${String(fault.status)}; documented errors: ${documentedErrorNames().join(', ')}`,
        );
      }
      faults.push({ method: method.toLowerCase(), error, remaining: times });
    },
    expireToken(token) {
      expired.add(token);
    },
    allowToken(token, scopes = ['crm']) {
      expired.delete(token);
      grants.delete(token);
      allowed.set(token, scopes);
    },
    installApp(app) {
      const { handler, ...credentials } = app;
      // Checked before anything is installed, so a bad handler leaves no half-installed app.
      if (handler !== undefined && handlerUrlProblem(handler)) throw new TypeError(`handler: ${handlerUrlProblem(handler)}`);
      const installed = authority.install(tokenPortal, credentials);
      if (handler !== undefined) events.announceInstall(handler, installed);
      return installed;
    },
    issueTokens(clientId, { userId = 1, scopes = ['crm'] } = {}) {
      return authority.issue(tokenPortal, clientId, { userId, scopes });
    },
    authorizeApp(app) {
      return { code: authority.authorize(tokenPortal, app), domain: domain(), member_id: memberId };
    },
    get deliveries() {
      return events.queue.log;
    },
    get droppedDeliveries() {
      return events.queue.dropped;
    },
    deliveriesIdle() {
      return events.queue.idle();
    },
    get identity() {
      return { member_id: memberId, domain: domain(), client_endpoint: clientEndpoint() };
    },
  };
  return sandbox;
}

/** `/oauth/token/`: the authorization server's one route (oauth.bitrix.info serves it beside every portal). */
function isTokenPath(url: string): boolean {
  try {
    return /^\/oauth\/token\/?$/.test(new URL(url, 'http://sandbox.invalid').pathname);
  } catch {
    return false;
  }
}

/** Reads what a `fetch` call would send: method, URL, content type and the body as text, within the size cap. */
async function readRequest(input: RequestInfo | URL, init: RequestInit | undefined, maxBodyBytes: number): Promise<SandboxRequest> {
  // The common case (the client's transport): a URL string and a string body, read without building a Request.
  if ((typeof input === 'string' || input instanceof URL) && (init?.body === undefined || init.body === null || typeof init.body === 'string')) {
    const body = init?.body ?? '';
    if (body.length > maxBodyBytes && new TextEncoder().encode(body).byteLength > maxBodyBytes) {
      throw tooLarge(maxBodyBytes);
    }
    const headers = new Headers(init?.headers);
    return { method: init?.method ?? 'GET', url: String(input), contentType: headers.get('content-type') ?? '', body };
  }
  const request = new Request(input, init);
  const length = request.headers.get('content-length');
  return {
    method: request.method,
    url: request.url,
    contentType: request.headers.get('content-type') ?? '',
    body: await readBodyText(request.body, maxBodyBytes, length === null ? undefined : Number(length)),
  };
}
