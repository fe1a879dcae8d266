import type { ClientErrorCode } from './errors.js';

/** Hops a call follows at most before it gives up with `REDIRECT_REFUSED`. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES: readonly number[] = [301, 302, 307, 308];

/** What to do with a redirect answer: send the same request to `url`, or fail with `code`. */
export type RedirectStep =
  | { url: string /** True when `url` is on another origin: the portal moved. */; moved: boolean }
  | { code: ClientErrorCode; description: string; newOrigin?: string };

/** The client options that decide which redirects are followed. */
export interface RedirectPolicy {
  followPortalMoves?: boolean;
  allowInsecureHttp?: boolean;
}

const refuse = (code: ClientErrorCode, description: string, newOrigin?: string): RedirectStep => ({ code, description, newOrigin });

/**
 * Decides whether a redirect may be followed; `undefined` when the answer is no redirect.
 *
 * The credentials travel with every request (the webhook code in the path, `auth` in the body,
 * headers), so the rule is about where they may go: on the portal's own origin, always; to another
 * origin only when the caller opted in to following portal moves; to plain `http://` only from a
 * portal that is itself `http://` (a local mock). A browser hides the target of a manual redirect,
 * so that case is refused rather than guessed.
 */
export function nextHop(response: Response, from: string, hop: number, policy: RedirectPolicy): RedirectStep | undefined {
  if (response.type === 'opaqueredirect') return refuse('REDIRECT_REFUSED', 'Redirect not followed (opaque in a browser)');
  const location = REDIRECT_STATUSES.includes(response.status) ? response.headers.get('location') : null;
  if (!location) return undefined;
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return refuse('INVALID_REDIRECT', 'The redirect names an address that is not a valid URL');
  }
  if (hop >= MAX_REDIRECTS) return refuse('REDIRECT_REFUSED', `Redirect not followed (more than ${MAX_REDIRECTS} hops)`);
  const current = new URL(from);
  if (next.origin === current.origin) return { url: next.href, moved: false };
  if (next.protocol !== 'https:' && !(next.protocol === 'http:' && current.protocol === 'http:' && policy.allowInsecureHttp)) {
    return refuse(
      'REDIRECT_REFUSED',
      `Redirect not followed (from ${current.protocol}// to ${next.protocol}//, where the credentials would travel unprotected)`,
    );
  }
  if (!policy.followPortalMoves) {
    return refuse('PORTAL_MOVED', `The portal answered from a new address, ${next.origin}; store it, or pass followPortalMoves: true`, next.origin);
  }
  return { url: next.href, moved: true };
}
