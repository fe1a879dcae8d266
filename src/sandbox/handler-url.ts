// What a portal accepts as an event handler address, and how the sandbox shows one in its logs.

/** Why `event.bind` refuses a handler address, or undefined when Bitrix24 accepts it. */
export function handlerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'The handler is not an absolute URL.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'The handler must use http or https.';
  // The portal's own rule (rest/lib/handlerhelper.php, inferred): the host must contain a dot, so
  // `localhost` is refused while `127.0.0.1` passes.
  if (!parsed.hostname.includes('.') && !parsed.hostname.includes(':')) return 'The handler host must contain a dot (localhost is refused; use 127.0.0.1).';
  if (parsed.username || parsed.password) return 'The handler must not carry a user name or password.';
  return undefined;
}

/** Masked forms of the handler addresses seen lately: a log entry is written per delivery, the handlers are few. */
const masked = new Map<string, string>();
const MASKED_KEPT = 64;

/**
 * A handler address as logs and the journal show it: scheme, host and port only. The path and query
 * may hold a secret (many apps put one there), so they are never shown.
 */
export function maskUrl(url: string): string {
  let shown = masked.get(url);
  if (shown !== undefined) return shown;
  try {
    const parsed = new URL(url);
    shown = `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    shown = '…';
  }
  if (masked.size >= MASKED_KEPT) masked.clear();
  masked.set(url, shown);
  return shown;
}
