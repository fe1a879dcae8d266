/** Passed to `onAttempt` after each HTTP attempt of a method call. */
export interface AttemptEvent {
  method: string;
  /** 1 for the first try. */
  attempt: number;
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  /** The error code, or `undefined` when the attempt succeeded. */
  code?: string;
  durationMs: number;
}

/** Passed to `onRetry` when a failed attempt is going to be repeated. */
export interface RetryEvent {
  method: string;
  /** The attempt that failed. */
  attempt: number;
  status: number;
  code: string;
  /** How long the client waits before the next attempt. */
  delayMs: number;
}

/** Passed to `onWait` before the client sleeps. */
export interface WaitEvent {
  method: string;
  /** `rate-limit`: the client-side bucket is full; `retry`: backoff; `operation-time-limit`: waiting for `operating_reset_at`. */
  reason: 'rate-limit' | 'retry' | 'operation-time-limit';
  delayMs: number;
}

/**
 * Passed to `onStoreError` when the shared `store` cannot be reached or answers too slowly. The client
 * then paces itself locally (`operation: 'rate-limit'`, reported once per outage) or fails the refresh
 * with `TOKEN_REFRESH_FAILED` without spending the refresh token (`operation: 'token-refresh'`).
 */
export interface StoreErrorEvent {
  operation: 'rate-limit' | 'token-refresh';
  /** What went wrong, with any secret of the client masked. */
  message: string;
}

/**
 * Observability callbacks. Payloads carry method names, counts, statuses and codes only: never a
 * URL, a body or a credential. An exception thrown by a hook is ignored.
 */
export interface Hooks {
  onAttempt?: (event: AttemptEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  onWait?: (event: WaitEvent) => void;
  onStoreError?: (event: StoreErrorEvent) => void;
}

/** Where the client writes its debug lines (the same payloads as the hooks); nothing is logged without one. */
export interface Logger {
  debug(message: string, details: object): void;
  /** Store outages (see {@link StoreErrorEvent}); they go to `debug` when this is absent. */
  warn?(message: string, details: object): void;
}

/** Sends one event to its hook and to the logger. */
export type Emit = <K extends keyof Hooks>(kind: K, event: Parameters<NonNullable<Hooks[K]>>[0]) => void;

/**
 * Creates the {@link Emit} function of a client; `undefined` without hooks and logger, so callers
 * write `emit?.(…)` and a call builds no event objects that nobody reads.
 */
export function createEmit(hooks?: Hooks, logger?: Logger): Emit | undefined {
  if (!hooks && !logger) return undefined;
  return (kind, event) => {
    try {
      (hooks?.[kind] as ((e: typeof event) => void) | undefined)?.(event);
      logger?.debug(`bitrix24 ${kind}`, event);
    } catch {
      // A broken hook or logger must not turn a successful call into a failure.
    }
  };
}
