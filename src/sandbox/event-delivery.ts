// Posting events to handlers: a bounded queue drained a few at a time, with every attempt and its
// outcome in a bounded log. The post itself is a function the host injects (src/node/event-deliver.ts
// in Node, with its address checks), so this module stays browser-safe.
import type { AppLimits } from './app-limits.js';
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

type QueueLimits = Pick<AppLimits, 'maxDeliveryQueue' | 'maxDeliveriesInFlight' | 'maxDeliveryBytes' | 'deliveryTimeoutMs' | 'maxDeliveryLog'>;

type Waiting = DeliveryJob & { queuedAt: number; cost: number };

/** A job whose body is built once the turn's answers are written (see {@link DeliveryQueue.enqueueLater}). */
type Unbuilt = { job: Omit<DeliveryJob, 'body'>; queuedAt: number; body: () => string };

/**
 * The deliveries of one portal: queued without waiting, sent `maxDeliveriesInFlight` at a time after
 * the REST answer (all of one turn's together, once that turn's answers are written; never during the
 * caller's turn), once each, in no promised order. A job (waiting
 * or in flight) and each logged attempt are charged to the server's app budget: past it a new job is dropped and
 * the portal's oldest attempts leave the log.
 */
export class DeliveryQueue {
  /** Waiting jobs per handler URL, so one dead handler cannot hold every slot (insertion order: round robin). */
  private readonly waiting = new Map<string, Waiting[]>();
  private waitingCount = 0;
  /** Jobs of this turn whose bodies are not built yet; the next pump builds and admits them. */
  private unbuilt: Unbuilt[] = [];
  private readonly handlerInFlight = new Map<string, number>();
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private readonly attempts: DeliveryAttempt[] = [];
  /** Bytes each kept attempt is charged, in the same order. */
  private readonly attemptCosts: number[] = [];
  private droppedAttempts = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly limits: QueueLimits,
    private readonly now: () => number,
    private readonly deliver: DeliverFunction | undefined,
    private readonly budget: ServerBudget = new ServerBudget(Number.MAX_SAFE_INTEGER),
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
    return this.unbuilt.length + this.waitingCount + this.inFlight;
  }

  /** Slots one handler may hold at once: a quarter of them, so a hung handler leaves the rest to others. */
  private get perHandler(): number {
    return Math.max(1, Math.ceil(this.limits.maxDeliveriesInFlight / 4));
  }

  enqueue(job: DeliveryJob) {
    this.admit(job, this.now());
    this.schedule();
  }

  /**
   * Queues a job whose body `body()` builds after this turn's answers are written, so building it
   * (the form, the token) is not part of the REST answer's time (bench/events.mjs). The job's place
   * and clock are taken now; the caps are checked when it is built, on the same turn.
   */
  enqueueLater(job: Omit<DeliveryJob, 'body'>, body: () => string) {
    const queuedAt = this.now();
    // Unbuilt jobs count against the queue's cap too, so a turn of many requests cannot pile them up.
    if (this.unbuilt.length + this.waitingCount >= this.limits.maxDeliveryQueue) return this.record(job, queuedAt, this.full());
    this.unbuilt.push({ job, queuedAt, body });
    this.schedule();
  }

  private full() {
    return { outcome: 'dropped' as const, reason: `The delivery queue is full (limits.maxDeliveryQueue ${this.limits.maxDeliveryQueue}).` };
  }

  private schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      afterThisTurn(() => this.pump());
    }
  }

  /** Checks a job against the caps and queues it, or logs why it is not sent. */
  private admit(job: DeliveryJob, queuedAt: number) {
    if (!this.deliver)
      return this.record(job, queuedAt, {
        outcome: 'not-sent',
        reason: 'This sandbox has no deliver function (the in-process sandbox of a browser); use startSandbox or pass deliver.',
      });
    if (job.body.length > this.limits.maxDeliveryBytes && new TextEncoder().encode(job.body).byteLength > this.limits.maxDeliveryBytes) {
      return this.record(job, queuedAt, { outcome: 'too-large', reason: `The body is larger than limits.maxDeliveryBytes (${this.limits.maxDeliveryBytes}).` });
    }
    if (this.waitingCount >= this.limits.maxDeliveryQueue) return this.record(job, queuedAt, this.full());
    const waiting: Waiting = { ...job, queuedAt, cost: 0 };
    waiting.cost = heapSize(waiting);
    if (this.budget.used + waiting.cost > this.budget.maxBytes) {
      return this.record(job, queuedAt, {
        outcome: 'dropped',
        reason: `The server's app stores are full (limits.maxServerAppBytes ${this.budget.maxBytes}).`,
      });
    }
    const line = this.waiting.get(job.url);
    if (line) line.push(waiting);
    else this.waiting.set(job.url, [waiting]);
    this.waitingCount++;
    this.budget.used += waiting.cost;
  }

  /** Resolves when nothing is queued or in flight (every attempt so far has its outcome in the log). */
  idle(): Promise<void> {
    if (this.pending === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets what is queued (not what is in flight) and the log. */
  clear() {
    for (const line of this.waiting.values()) for (const job of line) this.budget.used -= job.cost;
    this.waiting.clear();
    this.unbuilt = [];
    this.waitingCount = 0;
    for (const cost of this.attemptCosts) this.budget.used -= cost;
    this.attempts.length = 0;
    this.attemptCosts.length = 0;
    this.droppedAttempts = 0;
    this.settle();
  }

  private pump() {
    const unbuilt = this.unbuilt;
    this.unbuilt = [];
    for (const { job, queuedAt, body } of unbuilt) {
      try {
        this.admit({ ...job, body: body() }, queuedAt);
      } catch (error) {
        this.record(job, queuedAt, {
          outcome: 'not-sent',
          reason: `The body could not be built: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    // Only now, so an attempt logged while building does not wake idle() before the rest are queued.
    this.scheduled = false;
    let progressed = true;
    while (progressed && this.inFlight < this.limits.maxDeliveriesInFlight && this.waitingCount > 0) {
      progressed = false;
      for (const [url, line] of this.waiting) {
        if (this.inFlight >= this.limits.maxDeliveriesInFlight) break;
        const busy = this.handlerInFlight.get(url) ?? 0;
        if (busy >= this.perHandler) continue;
        const job = line.shift()!;
        if (line.length === 0) this.waiting.delete(url);
        this.waitingCount--;
        this.inFlight++;
        this.handlerInFlight.set(url, busy + 1);
        progressed = true;
        this.send(job).finally(() => {
          // Charged until the post ends: the body is held while it is in flight too.
          this.budget.used -= job.cost;
          this.inFlight--;
          const left = (this.handlerInFlight.get(url) ?? 1) - 1;
          if (left === 0) this.handlerInFlight.delete(url);
          else this.handlerInFlight.set(url, left);
          this.pump();
        });
      }
    }
    this.settle();
  }

  private async send(job: Waiting) {
    let result: DeliveryResult;
    try {
      result = await this.deliver!({ url: job.url, body: job.body, timeoutMs: this.limits.deliveryTimeoutMs });
    } catch (error) {
      result = { outcome: 'failed', reason: error instanceof Error ? error.message : 'The post failed.' };
    }
    // A reason never carries the handler's path or query (they may hold a secret).
    const reason = result.reason?.split(job.url).join(maskUrl(job.url));
    this.record(job, job.queuedAt, { ...result, ...(reason === undefined ? {} : { reason }) });
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
