// Which changes raise lead and contact events: rules taken from the module source, not the docs, so
// `verify --write` checks them on a real portal. They read the app's offline queue (no public handler
// needed), so they need an app's OAuth token and an administrator; a webhook run skips them.
import type { Bitrix24Client } from '../client/client.js';
import { isBitrix24Error } from '../client/errors.js';
import { expectSame, type Scenario } from './lead-contact-scenarios.js';

/** The connector the scenarios' offline bindings use, so their rows are apart from the app's own. */
const CONNECTOR = 'b24-lead-contact-verify';
const WATCHED = ['ONCRMLEADUPDATE', 'ONCRMCONTACTUPDATE'] as const;
/** Reads of the queue before giving up on emptying it (50 rows each). */
const MAX_DRAINS = 20;

async function drain(client: Bitrix24Client): Promise<Array<[string, number]>> {
  const seen: Array<[string, number]> = [];
  for (let i = 0; i < MAX_DRAINS; i++) {
    const { events } = (await client.event.offline.get({ clear: 1, auth_connector: CONNECTOR })) as {
      events: Array<{ EVENT_NAME: string; EVENT_DATA?: { FIELDS?: { ID?: unknown } } }>;
    };
    if (events.length === 0) break;
    for (const event of events) seen.push([event.EVENT_NAME, Number(event.EVENT_DATA?.FIELDS?.ID)]);
  }
  return seen;
}

/** The update events `change` raises for the given records, read from an offline binding made for the run. */
async function updateEventsOf(client: Bitrix24Client, ids: readonly number[], change: () => Promise<unknown>) {
  for (const event of WATCHED) {
    try {
      await client.event.bind({ event, event_type: 'offline', auth_connector: CONNECTOR });
    } catch (error) {
      // Bound by an earlier run that stopped before unbinding: the binding is what we need.
      if (!(isBitrix24Error(error) && error.code === 'ERROR_CORE')) throw error;
    }
  }
  try {
    await drain(client);
    await change();
    return (await drain(client)).filter(([, id]) => ids.includes(id)).sort();
  } finally {
    for (const event of WATCHED) await client.event.unbind({ event, event_type: 'offline' }).catch(() => undefined);
  }
}

/** Event rules, each written once; `npm test` runs them against the sandbox and `verify --write` (OAuth) against a portal. */
export const eventScenarios: readonly Scenario[] = [
  {
    rule: 'linking and unlinking contacts with crm.lead.contact.* raises no lead or contact update event',
    source: 'module source (inferred)',
    async run(client, { lead, contacts: [a, b] }) {
      const events = await updateEventsOf(client, [lead, a, b], async () => {
        await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a } });
        await client.crm.lead.contact.items.set({ id: lead, items: [{ CONTACT_ID: b }] });
        await client.crm.lead.contact.delete({ id: lead, fields: { CONTACT_ID: b } });
        await client.crm.lead.contact.items.delete({ id: lead });
      });
      expectSame('update events', events, []);
    },
  },
  {
    rule: 'crm.lead.update with only CONTACT_IDS raises ONCRMLEADUPDATE',
    source: 'module source (inferred)',
    async run(client, { lead, contacts: [a] }) {
      const events = await updateEventsOf(client, [lead, a], () => client.crm.lead.update({ id: lead, fields: { CONTACT_IDS: [a] } }));
      expectSame('update events', events, [['ONCRMLEADUPDATE', lead]]);
    },
  },
];
