// A server app that reacts to new leads, end to end: it is installed (ONAPPINSTALL gives it the
// portal's application_token and tokens), binds ONCRMLEADADD, checks every delivery against the stored
// token, reads each new lead and its contacts, and records them. Its access token is refreshed at the
// authorization server when it expires.
//
// It runs against the sandbox in `npm test` (test/sandbox/lead-events-example.test.ts): the sandbox
// installs it, posts the events to its handler, and answers its calls and its token refreshes.
import { createEventHandler, oauthRefresh, type RecordEvent } from '../src/events.js';
import { createBitrix24Client, type Bitrix24Client } from '../src/index.js';

/** What the app keeps per portal (a database in a real app): keyed by `member_id`. */
export interface PortalRecord {
  applicationToken: string;
  clientEndpoint: string;
  accessToken: string;
  refreshToken: string;
}

/** One recorded lead with its contacts' names. */
export interface RecordedLead {
  memberId: string;
  leadId: number;
  title: string | null;
  contacts: Array<{ id: number; name: string | null }>;
}

export interface LeadEventsAppOptions {
  clientId: string;
  clientSecret: string;
  /** Where Bitrix24 reaches this app's handler (what it binds ONCRMLEADADD to). */
  handlerUrl: string;
  /** The authorization server; default oauth.bitrix.info (a sandbox: its url). */
  oauthServer?: string;
  /** For local sandboxes served over plain http. */
  allowInsecureHttp?: boolean;
  /** Told when a portal is installed and bound, and when a lead is recorded (tests wait on these). */
  onInstalled?(memberId: string): void;
  onRecorded?(lead: RecordedLead): void;
}

export function createLeadEventsApp(options: LeadEventsAppOptions) {
  const portals = new Map<string, PortalRecord>();
  const recorded: RecordedLead[] = [];
  const refused: unknown[] = [];

  function clientFor(memberId: string): Bitrix24Client {
    const portal = portals.get(memberId)!;
    return createBitrix24Client({
      portal: portal.clientEndpoint,
      accessToken: portal.accessToken,
      refreshToken: portal.refreshToken,
      allowInsecureHttp: options.allowInsecureHttp ?? false,
      onTokenExpired: oauthRefresh({
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        ...(options.oauthServer ? { oauthServer: options.oauthServer } : {}),
      }),
      onTokensRefreshed: ({ accessToken, refreshToken }) => {
        portal.accessToken = accessToken;
        if (refreshToken) portal.refreshToken = refreshToken;
      },
    });
  }

  async function recordLead(event: RecordEvent<'ONCRMLEADADD'>) {
    const client = clientFor(event.auth.member_id);
    const lead = await client.crm.lead.get({ id: event.id });
    const contacts = await Promise.all(
      (lead.CONTACT_IDS ?? []).map(async (id) => {
        const contact = await client.crm.contact.get({ id: Number(id) });
        return { id: Number(id), name: contact.NAME ?? null };
      }),
    );
    const entry = { memberId: event.auth.member_id, leadId: event.id, title: lead.TITLE ?? null, contacts };
    recorded.push(entry);
    options.onRecorded?.(entry);
  }

  const handler = createEventHandler({
    applicationToken: (memberId) => portals.get(memberId)?.applicationToken,
    async onEvent(event) {
      if (event.event === 'ONAPPINSTALL') {
        const { auth } = event;
        if (!auth.access_token || !auth.refresh_token || !auth.client_endpoint) return;
        portals.set(auth.member_id, {
          applicationToken: auth.application_token,
          clientEndpoint: auth.client_endpoint,
          accessToken: auth.access_token,
          refreshToken: auth.refresh_token,
        });
        await clientFor(auth.member_id).event.bind({ event: 'ONCRMLEADADD', handler: options.handlerUrl });
        options.onInstalled?.(auth.member_id);
        return;
      }
      if (event.event === 'ONCRMLEADADD') await recordLead(event);
    },
    onError: (error) => refused.push(error),
  });

  return { handler, portals, recorded, refused };
}
