// Posting events to handlers: a bounded queue drained a few at a time, with every attempt and its
// outcome in a bounded log. The post itself is a function the host injects (src/node/event-deliver.ts
// in Node, with its address checks), so this module stays browser-safe.
import type { AppLimits } from './app-limits.js';
import { maskUrl } from './handler-url.js';

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
  const parts: string[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) walk(prefix ? `${prefix}[${key}]` : key, inner);
      return;
    }
    parts.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(value))}`);
  };
  walk('', fields);
  return parts.join('&');
}

type QueueLimits = Pick<AppLimits, 'maxDeliveryQueue' | 'maxDeliveriesInFlight' | 'maxDeliveryBytes' | 'deliveryTimeoutMs' | 'maxDeliveryLog'>;

/**
 * The deliveries of one portal: queued without waiting, sent `maxDeliveriesInFlight` at a time after
 * the REST answer (a timer, never the caller's turn), once each, in no promised order.
 */
export class DeliveryQueue {
  private readonly waiting: Array<DeliveryJob & { queuedAt: number }> = [];
  private inFlight = 0;
  private seq = 0;
  private scheduled = false;
  private readonly attempts: DeliveryAttempt[] = [];
  private droppedAttempts = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly limits: QueueLimits,
    private readonly now: () => number,
    private readonly deliver: DeliverFunction | undefined,
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
    return this.waiting.length + this.inFlight;
  }

  enqueue(job: DeliveryJob) {
    const queuedAt = this.now();
    if (!this.deliver)
      return this.record(job, queuedAt, {
        outcome: 'not-sent',
        reason: 'This sandbox has no deliver function (the in-process sandbox of a browser); use startSandbox or pass deliver.',
      });
    if (job.body.length > this.limits.maxDeliveryBytes && new TextEncoder().encode(job.body).byteLength > this.limits.maxDeliveryBytes) {
      return this.record(job, queuedAt, { outcome: 'too-large', reason: `The body is larger than limits.maxDeliveryBytes (${this.limits.maxDeliveryBytes}).` });
    }
    if (this.waiting.length >= this.limits.maxDeliveryQueue) {
      return this.record(job, queuedAt, {
        outcome: 'dropped',
        reason: `The delivery queue is full (limits.maxDeliveryQueue ${this.limits.maxDeliveryQueue}).`,
      });
    }
    this.waiting.push({ ...job, queuedAt });
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.pump(), 0);
    }
  }

  /** Resolves when nothing is queued or in flight (every attempt so far has its outcome in the log). */
  idle(): Promise<void> {
    if (this.pending === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets what is queued (not what is in flight) and the log. */
  clear() {
    this.waiting.length = 0;
    this.attempts.length = 0;
    this.droppedAttempts = 0;
    this.settle();
  }

  private pump() {
    this.scheduled = false;
    while (this.inFlight < this.limits.maxDeliveriesInFlight && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.inFlight++;
      this.send(job).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    this.settle();
  }

  private async send(job: DeliveryJob & { queuedAt: number }) {
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

  private record(job: DeliveryJob, queuedAt: number, result: Pick<DeliveryAttempt, 'outcome' | 'status' | 'reason'>) {
    this.attempts.push({
      seq: ++this.seq,
      event: job.event,
      ...(job.handlerId === undefined ? {} : { event_handler_id: String(job.handlerId) }),
      ...(job.recordId === undefined ? {} : { id: job.recordId }),
      handler: maskUrl(job.url),
      ...result,
      queuedAt,
      finishedAt: this.now(),
    });
    while (this.attempts.length > this.limits.maxDeliveryLog) {
      this.attempts.shift();
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
