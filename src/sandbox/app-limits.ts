/**
 * Caps on what apps leave in a sandbox: tokens, apps and refresh grants, event handlers, the delivery
 * queue and its log, and the offline queue. Each store drops or refuses past its cap; the per-portal
 * ones also share one server-wide budget of memory, `maxServerAppBytes` (SECURITY.md).
 */
export interface AppLimits {
  /** Access tokens issued to apps that one portal keeps; past it the oldest stops working (NO_AUTH_FOUND). */
  maxTokens: number;
  /** Apps (client ids) one server's authorization server knows; installing one more is refused. */
  maxApps: number;
  /** Live refresh tokens and authorization codes one server keeps; past it the oldest answers `invalid_grant`. */
  maxGrants: number;
  /** Event handlers (online and offline bindings) one portal keeps; `event.bind` past it is refused. */
  maxHandlers: number;
  /** Deliveries waiting to be sent per portal; past it a new one is dropped and journaled as dropped. */
  maxDeliveryQueue: number;
  /** Deliveries sent at once per portal. */
  maxDeliveriesInFlight: number;
  /** Bytes of one delivery body; a larger one is not sent (journaled as too large). */
  maxDeliveryBytes: number;
  /** How long one delivery may take before it is cut and journaled as timed out. */
  deliveryTimeoutMs: number;
  /** Delivery attempts one portal's delivery log keeps (oldest dropped first). */
  maxDeliveryLog: number;
  /**
   * Longest a delivery is held while the process keeps answering REST calls: deliveries go once it
   * is quiet (delivery-gate.ts), or after this long. 0 sends each right after its answer.
   */
  maxDeliveryDelayMs: number;
  /** Offline events one portal queues; past it the oldest is dropped. */
  maxOfflineEvents: number;
  /**
   * Bytes of memory (counted as `heapSize` counts) that the event handlers, waiting deliveries (with
   * their bodies), delivery logs, offline queues and issued tokens of all portals of a server keep
   * together. Past it, `event.bind` is refused and a new delivery is dropped; the log, the offline
   * queue and the tokens of the portal that adds one drop their own oldest (an oldest token stops working).
   */
  maxServerAppBytes: number;
}

export const DEFAULT_APP_LIMITS: Readonly<AppLimits> = Object.freeze({
  maxTokens: 10_000,
  maxApps: 1000,
  maxGrants: 10_000,
  maxHandlers: 1000,
  maxDeliveryQueue: 10_000,
  maxDeliveriesInFlight: 16,
  maxDeliveryBytes: 64 * 1024,
  deliveryTimeoutMs: 5000,
  maxDeliveryLog: 10_000,
  maxDeliveryDelayMs: 1000,
  maxOfflineEvents: 10_000,
  maxServerAppBytes: 64 * 1024 * 1024,
});
