// The app frames a sandbox server has opened: per APP_SID, the portal and the OAuth pair it was
// given, so the host page can trade its refresh token for a new pair (refreshAuth). Tokens are
// registered with the portal's runtime token registry (allowToken / expireToken), the one every
// OAuth call is checked against. No Node APIs: Web Crypto only.
import { WireError } from '../wire/wire-error.js';
import type { SandboxPortal } from './portal-registry.js';

/** Frames a server remembers; opening one more forgets the oldest (its tokens stay as they are). */
export const MAX_FRAME_SESSIONS = 100;
/** Seconds a frame's access token is said to live (`AUTH_EXPIRES`), as on a portal. */
export const FRAME_TOKEN_SECONDS = 3600;

/** What a frame is given, in the portal's field names. */
export interface FrameTokens {
  AUTH_ID: string;
  AUTH_EXPIRES: string;
  REFRESH_ID: string;
}

interface FrameSession {
  portal: SandboxPortal;
  accessToken: string;
  refreshToken: string;
}

/** `bytes` random bytes as lowercase hex: an APP_SID is 16 (32 characters), as `md5(uniqid())` is. */
export function randomHex(bytes: number): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A new OAuth pair the portal accepts from now on. */
function issuePair(portal: SandboxPortal): FrameTokens {
  const pair = { AUTH_ID: randomHex(32), AUTH_EXPIRES: String(FRAME_TOKEN_SECONDS), REFRESH_ID: randomHex(32) };
  portal.allowToken(pair.AUTH_ID);
  return pair;
}

export class FrameSessions {
  private readonly sessions = new Map<string, FrameSession>();

  constructor(private readonly max = MAX_FRAME_SESSIONS) {}

  /** Opens a frame on `portal`: a new APP_SID and an OAuth pair the portal accepts. */
  open(portal: SandboxPortal): { appSid: string; tokens: FrameTokens } {
    const appSid = randomHex(16);
    const tokens = issuePair(portal);
    if (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(appSid, { portal, accessToken: tokens.AUTH_ID, refreshToken: tokens.REFRESH_ID });
    return { appSid, tokens };
  }

  /**
   * refreshAuth: a new pair for the frame's current refresh token; the old access token answers
   * `expired_token` from now on and the old refresh token is spent. A 401 without naming either token otherwise.
   */
  refresh(appSid: string, refreshToken: string): FrameTokens {
    const session = this.sessions.get(appSid);
    if (!session || session.refreshToken !== refreshToken) {
      throw new WireError(401, 'invalid_grant', 'No open frame has this APP_SID and refresh token; open the frame host again.');
    }
    const tokens = issuePair(session.portal);
    session.portal.expireToken(session.accessToken);
    session.accessToken = tokens.AUTH_ID;
    session.refreshToken = tokens.REFRESH_ID;
    return tokens;
  }
}
