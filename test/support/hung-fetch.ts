/**
 * An answer that never comes: settles only by rejecting with the abort reason when `signal` (the
 * one the client handed `fetch`, if any) aborts. A client sends its first requests without a signal
 * (see transport.ts), so a hung request may have nothing to listen on.
 */
export function hang(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
}
