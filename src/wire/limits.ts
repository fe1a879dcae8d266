/**
 * Caps every front applies to what a caller sends, so hostile input gets a 4xx instead of memory,
 * stack or CPU. The defaults are far above anything the Bitrix24 methods need: a full batch of 50
 * items.set commands with 50 contacts each is about 150 KB, nests 4 levels and has 7,500 parameters
 * at most in a form body.
 */
export interface WireLimits {
  /** Largest request body in bytes; more is answered 413 before it is buffered. */
  maxBodyBytes: number;
  /** Deepest nesting of objects and arrays (JSON) or brackets (form and query keys). */
  maxDepth: number;
  /** Most parameters in one form body or query string (one per `key=value` pair). */
  maxParameters: number;
}

export const DEFAULT_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxParameters: 10_000,
});
