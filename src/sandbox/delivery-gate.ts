// When held event deliveries may go. A portal does not post events during the request that raised
// them: its queue server posts them afterwards, "with a slight delay" (notes/events.md). The sandbox
// does the same in a way that keeps its REST answers fast: a delivery waits until this process is
// quiet, so posts and their answers do not compete with a caller's next requests for the event loop
// and the CPU, or until it has waited its longest allowed delay.
//
// Quiet is two things. No call for QUIET_MS: a test that makes a call and waits for its event gets
// it at once. And fewer than BURST_CALLS calls in the last BURST_WINDOW_MS: a caller in a loop of
// calls stops for a garbage collection now and then (5–10 ms on a busy 2-core machine), and a gap
// like that is not the end of its work.

/** How long this process must have answered no REST call before held deliveries go (ms). */
export const QUIET_MS = 2;
/** A run of this many calls within BURST_WINDOW_MS marks the process as busy. */
export const BURST_CALLS = 8;
export const BURST_WINDOW_MS = 50;

/** What the gate looks at, all in ms of one monotonic clock (a negative time, the clock gone back, reads as long ago). */
export interface GateState {
  /** Since this process last answered a REST call. */
  sinceRestMs: number;
  /** Since it answered the BURST_CALLS-th last one. */
  sinceBurstMs: number;
  /** Since the oldest held delivery was queued. */
  heldMs: number;
  /** The longest a delivery may be held (`limits.maxDeliveryDelayMs`); 0 holds nothing. */
  maxDelayMs: number;
}

/**
 * What held deliveries may do now: `all` go, calls or not (one has waited its longest); they start
 * one by one `while quiet`, each only if the process is still quiet when a slot frees, so a burst
 * of them never meets the caller's next calls; or `none` starts, and the gate is asked again later.
 */
export type GateDecision = { send: 'all' } | { send: 'while quiet' } | { send: 'none'; askAgainMs: number };

export function deliveryGate({ sinceRestMs, sinceBurstMs, heldMs, maxDelayMs }: GateState): GateDecision {
  if (heldMs >= maxDelayMs) return { send: 'all' };
  const untilQuiet = Math.max(sinceRestMs < 0 ? 0 : QUIET_MS - sinceRestMs, sinceBurstMs < 0 ? 0 : BURST_WINDOW_MS - sinceBurstMs);
  if (untilQuiet <= 0) return { send: 'while quiet' };
  return { send: 'none', askAgainMs: Math.min(untilQuiet, maxDelayMs - heldMs) };
}

/**
 * When this process answered its last REST calls, on any of its sandboxes: the event loop and the
 * CPU the deliveries would compete for are the process's, not one portal's.
 */
export class RestActivity {
  /** The last BURST_CALLS answers' times, a ring; `next` is the oldest, overwritten next. */
  private readonly times = new Array<number>(BURST_CALLS).fill(Number.NEGATIVE_INFINITY);
  private next = 0;

  constructor(readonly clock: () => number = () => performance.now()) {}

  /** Called once a REST call's answer is built. */
  answered() {
    this.times[this.next] = this.clock();
    this.next = (this.next + 1) % BURST_CALLS;
  }

  get sinceRestMs(): number {
    return this.clock() - this.times[(this.next + BURST_CALLS - 1) % BURST_CALLS]!;
  }

  get sinceBurstMs(): number {
    return this.clock() - this.times[this.next]!;
  }
}

/** The process's REST activity, which every sandbox in it marks and every delivery queue watches. */
export const processRestActivity = new RestActivity();
