// Posting events to handlers: a bounded queue drained a few at a time, with every attempt and its
// outcome in a bounded log. The post itself is a function the host injects (src/node/event-deliver.ts
// in Node, with its address checks), so this module stays browser-safe.
import type { AppLimits } from './app-limits.js';
import { deliveryGate, processRestActivity, type RestActivity } from './delivery-gate.js';
import { maskUrl } from './handler-url.js';
import { heapSize } from './heap-size.js';
import { ServerBudget } from './server-budget.js';

/** One post to make: the handler, the form body, how long it may take. */
export interface DeliveryRequest {
  url: string;
  /** `application/x-www-form-urlencoded`. */
  body: string;
  timeoutMs: number;
}

/** How a post ended. `refused`: the address is not allowed (not loopback, not a named host), nothing was sent. */
export interface DeliveryResult {
  outcome: 'delivered' | 'failed' | 'timeout' | 'refused';
  /** The handler's HTTP status, when it answered. */
  status?: number;
  /** Why it failed, without the handler's path or the body. */
  reason?: string;
}

/** Sends one delivery; never throws for a handler's failure (it answers the outcome). */
export type DeliverFunction = (request: DeliveryRequest) => Promise<DeliveryResult>;

/** One attempt as the delivery log keeps it: no body, no token, the handler's path masked. */
export interface DeliveryAttempt {
  /** Counts attempts on this portal from 1. */
  seq: number;
  event: string;
  event_handler_id?: string;
  /** The record the event is about, when it is one. */
  id?: string;
  /** Scheme, host and port of the handler; the path is never shown. */
  handler: string;
  outcome: DeliveryResult['outcome'] | 'dropped' | 'too-large' | 'not-sent';
  status?: number;
  reason?: string;
  /** Sandbox clock (ms) when the event was queued and when the attempt ended. */
  queuedAt: number;
  finishedAt: number;
}

export interface DeliveryJob {
  url: string;
  body: string;
  event: string;
  handlerId?: number;
  recordId?: string;
}

/** PHP bracket form of a nested object: `data[FIELDS][ID]=5`; every value as text. */
export function encodeForm(fields: Record<string, unknown>): string {
  let out = '';
  // The name is encoded part by part (`encodeURIComponent` works per character, so the result is the
  // same as encoding `a[b][c]` whole); every delivery's body is built here, so this is kept cheap.
  const walk = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value === 'object') {
      for (const key of Object.keys(value)) {
        const part = encodeURIComponent(key);
        walk(name === '' ? part : `${name}%5B${part}%5D`, (value as Record<string, unknown>)[key]);
      }
      return;
    }
    out += `${out === '' ? '' : '&'}${name}=${encodeURIComponent(String(value))}`;
  };
  walk('', fields);
  return out;
}

/** Runs `task` once the current turn's I/O callbacks are done: after the REST answer is written, before any timer. */
const afterThisTurn: (task: () => void) => void = (() => {
  // Node's setImmediate; a browser has none, and there the next timer is the next turn.
  const immediate = (globalThis as { setImmediate?: (task: () => void) => unknown }).setImmediate;
  return immediate ? (task) => void immediate(task) : (task) => void setTimeout(task, 0);
})();

type QueueLimits = Pick<
  AppLimits,
  'maxDeliveryQueue' | 'maxDeliveriesInFlight' | 'maxDeliveryBytes' | 'deliveryTimeoutMs' | 'maxDeliveryLog' | 'maxDeliveryDelayMs'
>;

/**
 * What one queued job holds: its body is built only when it is sent. Charged to the server's app
 * budget while it waits: the job, its body's builder and what that keeps (measured near 300 bytes;
 * rounded up).
 */
const QUEUED_JOB_BYTES = 512;

/**
 * A queued job, its body not built yet. `order`: its place among this queue's jobs, from 1 (see
 * `released`); `heldAt`: the REST activity's clock when it was queued; `free`: never held.
 */
type Queued = { job: Omit<DeliveryJob, 'body'>; queuedAt: number; heldAt: number; order: number; free: boolean; body: () => string };

/**
 * The deliveries of one portal: queued without waiting, held while the process keeps answering REST
 * calls (`maxDeliveryDelayMs` at most, see delivery-gate.ts), then built, checked against the caps
 * and sent as slots free, `maxDeliveriesInFlight` at a time, once each, in no promised order; never
 * during the caller's turn. A job (queued or in flight, the latter with its body) and each logged
 * attempt are charged to the server's app budget: past it a new job is dropped and the portal's
 * oldest attempts leave the log.
 */
export class DeliveryQueue {
  /** Queued jobs per handler URL, oldest first, so one dead handler cannot hold every slot (insertion order: round robin). */
  private readonly lines = new Map<string, Queued[]>();
  private queuedCount = 0;
  /** Jobs queued so far; those whose `order` is at most `released` are no longer held (delivery-gate.ts). */
  private lastOrder = 0;
  private released = 0;
  private readonly handlerInFlight = new Map<string, number>();
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private readonly attempts: DeliveryAttempt[] = [];
  /** Bytes each kept attempt is charged, in the same order. */
  private readonly attemptCosts: number[] = [];
  private droppedAttempts = 0;
  private idleWaiters: Array<() => void> = [];
  /** Asks the gate again while jobs are held. */
  private gateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly limits: QueueLimits,
    private readonly now: () => number,
    private readonly deliver: DeliverFunction | undefined,
    private readonly budget: ServerBudget = new ServerBudget(Number.MAX_SAFE_INTEGER),
    private readonly activity: RestActivity = processRestActivity,
  ) {}

  /** The latest attempts, oldest first (at most `maxDeliveryLog`). */
  get log(): readonly DeliveryAttempt[] {
    return this.attempts;
  }

  /** Attempts dropped from the log to keep it within its cap. */
  get dropped(): number {
    return this.droppedAttempts;
  }

  get pending(): number {
    return this.queuedCount + this.inFlight;
  }

  /** Slots one handler may hold at once: a quarter of them, so a hung handler leaves the rest to others. */
  private get perHandler(): number {
    return Math.max(1, Math.ceil(this.limits.maxDeliveriesInFlight / 4));
  }

  /** Queues a job whose body is built already, never held (an app's installation is not a REST call). */
  enqueue(job: DeliveryJob) {
    if (this.deliver && this.tooLarge(job.body)) return this.record(job, this.now(), this.tooLargeResult());
    this.add(job, () => job.body, true);
  }

  /**
   * Queues a job held by the gate. Its body `body()` is built when it is sent, so building it (the
   * form, the token) and sending it stay out of the REST calls' time (bench/events.mjs). The job's
   * place and clock are taken now; the caps on its body are checked when it is built.
   */
  enqueueLater(job: Omit<DeliveryJob, 'body'>, body: () => string) {
    this.add(job, body, false);
  }

  private add(job: Omit<DeliveryJob, 'body'>, body: () => string, free: boolean) {
    const queuedAt = this.now();
    if (!this.deliver)
      return this.record(job, queuedAt, {
        outcome: 'not-sent',
        reason: 'This sandbox has no deliver function (the in-process sandbox of a browser); use startSandbox or pass deliver.',
      });
    if (this.queuedCount >= this.limits.maxDeliveryQueue)
      return this.record(job, queuedAt, {
        outcome: 'dropped',
        reason: `The delivery queue is full (limits.maxDeliveryQueue ${this.limits.maxDeliveryQueue}).`,
      });
    if (this.budget.used + QUEUED_JOB_BYTES > this.budget.maxBytes) return this.record(job, queuedAt, this.overBudget());
    const entry: Queued = { job, queuedAt, heldAt: this.activity.clock(), order: ++this.lastOrder, free, body };
    const line = this.lines.get(job.url);
    if (line) line.push(entry);
    else this.lines.set(job.url, [entry]);
    this.queuedCount++;
    this.budget.used += QUEUED_JOB_BYTES;
    // While the gate's timer runs it asks for a pump itself; one per call would only find it shut.
    if (free || this.gateTimer === undefined || this.idleWaiters.length > 0) this.schedule();
  }

  private tooLarge(body: string) {
    return body.length > this.limits.maxDeliveryBytes && new TextEncoder().encode(body).byteLength > this.limits.maxDeliveryBytes;
  }

  private tooLargeResult() {
    return { outcome: 'too-large' as const, reason: `The body is larger than limits.maxDeliveryBytes (${this.limits.maxDeliveryBytes}).` };
  }

  private overBudget() {
    return { outcome: 'dropped' as const, reason: `The server's app stores are full (limits.maxServerAppBytes ${this.budget.maxBytes}).` };
  }

  private schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      afterThisTurn(() => this.pump());
    }
  }

  /**
   * Resolves when nothing is queued or in flight (every attempt so far has its outcome in the log).
   * Nothing is held while someone waits here.
   */
  idle(): Promise<void> {
    if (this.pending === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.schedule();
    });
  }

  /** Forgets what is queued (not what is in flight) and the log. */
  clear() {
    this.budget.used -= this.queuedCount * QUEUED_JOB_BYTES;
    this.lines.clear();
    this.queuedCount = 0;
    this.released = this.lastOrder;
    clearTimeout(this.gateTimer);
    this.gateTimer = undefined;
    for (const cost of this.attemptCosts) this.budget.used -= cost;
    this.attempts.length = 0;
    this.attemptCosts.length = 0;
    this.droppedAttempts = 0;
    this.settle();
  }

  /** When the oldest held job (queued after the last release, not sent yet) was queued; Infinity if none is. */
  private oldestHeldAt(): number {
    if (this.lastOrder === this.released) return Number.POSITIVE_INFINITY;
    let oldest: Queued | undefined;
    for (const line of this.lines.values()) {
      // A line is in queue order, released jobs first: its first held one is found by halving.
      let low = 0;
      let high = line.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (line[middle]!.order > this.released) high = middle;
        else low = middle + 1;
      }
      const first = line[low];
      if (first && (!oldest || first.order < oldest.order)) oldest = first;
    }
    return oldest ? oldest.heldAt : Number.POSITIVE_INFINITY;
  }

  /**
   * Whether held jobs may start on this pump. The gate releases them all when one is overdue or
   * someone waits for `idle()`; otherwise they start only while the process is quiet (each only
   * when a slot frees then, so none is left started when calls resume), and the gate is asked again
   * when it may open.
   */
  private heldMayStart(): boolean {
    const oldest = this.oldestHeldAt();
    if (oldest === Number.POSITIVE_INFINITY) {
      this.released = this.lastOrder;
      return true;
    }
    const gate =
      this.idleWaiters.length > 0
        ? { send: 'all' as const }
        : deliveryGate({
            sinceRestMs: this.activity.sinceRestMs,
            sinceBurstMs: this.activity.sinceBurstMs,
            heldMs: this.activity.clock() - oldest,
            maxDelayMs: this.limits.maxDeliveryDelayMs,
          });
    if (gate.send === 'none') {
      // Once the turn's I/O has run: a request that waited behind a long turn marks the process busy first.
      this.gateTimer ??= setTimeout(() => {
        this.gateTimer = undefined;
        afterThisTurn(() => this.pump());
      }, Math.ceil(gate.askAgainMs));
      return false;
    }
    if (gate.send === 'all') this.released = this.lastOrder;
    clearTimeout(this.gateTimer);
    this.gateTimer = undefined;
    return true;
  }

  private pump() {
    this.scheduled = false;
    const heldMayStart = this.queuedCount > 0 && this.heldMayStart();
    let progressed = true;
    while (progressed && this.inFlight < this.limits.maxDeliveriesInFlight && this.queuedCount > 0) {
      progressed = false;
      for (const [url, line] of this.lines) {
        if (this.inFlight >= this.limits.maxDeliveriesInFlight) break;
        if ((this.handlerInFlight.get(url) ?? 0) >= this.perHandler) continue;
        const head = line[0]!;
        if (!heldMayStart && !head.free && head.order > this.released) continue;
        line.shift();
        if (line.length === 0) this.lines.delete(url);
        this.queuedCount--;
        this.budget.used -= QUEUED_JOB_BYTES;
        progressed = true;
        this.start(url, head);
      }
    }
    this.settle();
  }

  /** Builds a job's body, checks it against the caps, and sends it or logs why not. */
  private start(url: string, { job, queuedAt, body }: Queued) {
    let built: DeliveryJob;
    try {
      built = { ...job, body: body() };
    } catch (error) {
      return this.record(job, queuedAt, {
        outcome: 'not-sent',
        reason: `The body could not be built: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
    if (this.tooLarge(built.body)) return this.record(job, queuedAt, this.tooLargeResult());
    // Charged until the post ends: the body is held while it is in flight.
    const cost = heapSize(built);
    if (this.budget.used + cost > this.budget.maxBytes) return this.record(job, queuedAt, this.overBudget());
    this.budget.used += cost;
    this.inFlight++;
    this.handlerInFlight.set(url, (this.handlerInFlight.get(url) ?? 0) + 1);
    this.send(built, queuedAt).finally(() => {
      this.budget.used -= cost;
      this.inFlight--;
      const left = (this.handlerInFlight.get(url) ?? 1) - 1;
      if (left === 0) this.handlerInFlight.delete(url);
      else this.handlerInFlight.set(url, left);
      this.pump();
    });
  }

  private async send(job: DeliveryJob, queuedAt: number) {
    let result: DeliveryResult;
    try {
      result = await this.deliver!({ url: job.url, body: job.body, timeoutMs: this.limits.deliveryTimeoutMs });
    } catch (error) {
      result = { outcome: 'failed', reason: error instanceof Error ? error.message : 'The post failed.' };
    }
    // A reason never carries the handler's path or query (they may hold a secret).
    const reason = result.reason?.split(job.url).join(maskUrl(job.url));
    this.record(job, queuedAt, { ...result, ...(reason === undefined ? {} : { reason }) });
  }

  private record(job: Omit<DeliveryJob, 'body'>, queuedAt: number, result: Pick<DeliveryAttempt, 'outcome' | 'status' | 'reason'>) {
    const attempt: DeliveryAttempt = {
      seq: ++this.seq,
      event: job.event,
      ...(job.handlerId === undefined ? {} : { event_handler_id: String(job.handlerId) }),
      ...(job.recordId === undefined ? {} : { id: job.recordId }),
      handler: maskUrl(job.url),
      ...result,
      queuedAt,
      finishedAt: this.now(),
    };
    const cost = heapSize(attempt);
    this.attempts.push(attempt);
    this.attemptCosts.push(cost);
    this.budget.used += cost;
    while (this.attempts.length > this.limits.maxDeliveryLog || (this.budget.over && this.attempts.length > 1)) {
      this.attempts.shift();
      this.budget.used -= this.attemptCosts.shift()!;
      this.droppedAttempts++;
    }
    this.settle();
  }

  private settle() {
    if (this.pending > 0 || this.scheduled || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
