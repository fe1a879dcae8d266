/**
 * Caps every front applies to what a caller sends, so hostile input gets a 4xx instead of memory,
 * stack or CPU. The defaults are far above anything the Bitrix24 methods need: a full batch of 50
 * items.set commands with 50 contacts each is about 150 KB, nests 4 levels and has 7,500 parameters
 * at most in a form body, and its `$result[…]` references add a few kilobytes.
 */
export interface WireLimits {
  /** Largest request body in bytes; more is answered 413 before it is buffered. */
  maxBodyBytes: number;
  /** Deepest nesting of objects and arrays (JSON) or brackets (form and query keys). */
  maxDepth: number;
  /**
   * Most parameters in one request (one per `key=value` pair), counted over its query string, its
   * form body, and for a batch one per command plus the query pairs of its first 50 commands.
   */
  maxParameters: number;
  /**
   * Most characters the `$result[…]` references of one batch may put into its commands, in total.
   * Each reference adds an earlier result as text, so a chain of them grows exponentially; past the
   * cap the whole batch is refused with 400 `ERROR_BATCH_LENGTH_EXCEEDED` (the commands before the
   * one that crossed it have run).
   */
  maxBatchExpansionBytes: number;
}

export const DEFAULT_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxParameters: 10_000,
  maxBatchExpansionBytes: 1024 * 1024,
});
