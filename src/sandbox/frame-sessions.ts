// The app frames a sandbox server has opened: per APP_SID, the portal, the app and the OAuth pair it
// was given, so the host page can ask for a new pair (refreshAuth). The pairs come from the sandbox's
// authorization server (`issueTokens`, the one token registry every OAuth call is checked against);
// as on a portal, the parent gets them without the app's secret. No Node APIs.
import { randomHex } from './oauth.js';
import type { SandboxPortal } from './portal-registry.js';
import { WireError } from '../wire/wire-error.js';

/** Frames a server remembers; opening one more forgets the oldest (its tokens stay as they are). */
export const MAX_FRAME_SESSIONS = 100;
/** The app a frame belongs to when the host's query names none: installed on first use, with a secret nobody needs. */
export const FRAME_HOST_APP = 'local.sandbox.frame-host';

/** What a frame is given, in the portal's field names. */
export interface FrameTokens {
  AUTH_ID: string;
  AUTH_EXPIRES: string;
  REFRESH_ID: string;
}

interface FrameSession {
  portal: SandboxPortal;
  clientId: string;
  accessToken: string;
  refreshToken: string;
}

const asFrameTokens = (pair: { access_token: string; expires_in: number; refresh_token: string }): FrameTokens => ({
  AUTH_ID: pair.access_token,
  AUTH_EXPIRES: String(pair.expires_in),
  REFRESH_ID: pair.refresh_token,
});

export class FrameSessions {
  private readonly sessions = new Map<string, FrameSession>();

  /** `knows(clientId)`: whether the sandbox's authorization server has that app installed. */
  constructor(
    private readonly knows: (clientId: string) => boolean,
    private readonly max = MAX_FRAME_SESSIONS,
  ) {}

  /** Opens a frame of `clientId` on `portal`: a new APP_SID, an OAuth pair the portal accepts, and the portal's member id. */
  open(portal: SandboxPortal, clientId = FRAME_HOST_APP): { appSid: string; tokens: FrameTokens; memberId: string } {
    let pair: Parameters<typeof asFrameTokens>[0] & { member_id: string };
    if (this.knows(clientId)) pair = portal.issueTokens(clientId);
    else if (clientId === FRAME_HOST_APP) pair = portal.installApp({ clientId, clientSecret: randomHex() });
    else
      throw new WireError(
        400,
        '',
        `clientId ${clientId} names no app installed on this sandbox; install it first (POST /__sandbox/apps/install) or leave clientId out.`,
      );
    const appSid = randomHex();
    const tokens = asFrameTokens(pair);
    if (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(appSid, { portal, clientId, accessToken: tokens.AUTH_ID, refreshToken: tokens.REFRESH_ID });
    return { appSid, tokens, memberId: pair.member_id };
  }

  /**
   * refreshAuth: a new pair for the frame's current refresh token; the old access token answers
   * `expired_token` from now on, and the old refresh token no longer refreshes the frame. A 401
   * naming neither token otherwise.
   */
  refresh(appSid: string, refreshToken: string): FrameTokens {
    const session = this.sessions.get(appSid);
    if (!session || session.refreshToken !== refreshToken) {
      throw new WireError(401, 'invalid_grant', 'No open frame has this APP_SID and refresh token; open the frame host again.');
    }
    const tokens = asFrameTokens(session.portal.issueTokens(session.clientId));
    session.portal.expireToken(session.accessToken);
    session.accessToken = tokens.AUTH_ID;
    session.refreshToken = tokens.REFRESH_ID;
    return tokens;
  }
}
