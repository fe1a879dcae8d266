import type { Bitrix24Client } from '../client.js';
import { readAll } from '../read-all.js';
import { expectSame, type Scenario, ScenarioMismatch } from './lead-contact-scenarios.js';

/** A phone number and an e-mail address only this run uses, derived from its records. */
function communications(lead: number, contact: number) {
  const digits = `${lead}${contact}`.slice(-9).padStart(9, '0');
  return { phone: `+1 555 ${digits}`, phoneDigits: `1555${digits}`, email: `verify.${lead}.${contact}@example.invalid` };
}

const ids = (records: ReadonlyArray<{ ID?: unknown }>) => records.map((record) => Number(record.ID));

async function contactPhones(client: Bitrix24Client, id: number) {
  return ((await client.crm.contact.get({ id })).PHONE ?? []).map((entry) => ({ ID: entry.ID, VALUE: entry.VALUE }));
}

/** The record rules (lists, updates, duplicate search), each written once for the sandbox and `verify --write`. */
export const recordScenarios: readonly Scenario[] = [
  {
    rule: 'crm.lead.list and crm.contact.list find exactly the run’s records by a marker filter, ids as text',
    source: 'record docs',
    async run(client, { lead, contacts, marker }) {
      const leads = await client.crm.lead.list({ filter: { '=TITLE': marker }, select: ['ID', 'TITLE'] });
      expectSame('leads with the marker', leads.result, [{ ID: String(lead), TITLE: marker }]);
      expectSame('their total', leads.total, 1);
      const found = await client.crm.contact.list({ filter: { '=LAST_NAME': marker }, order: { ID: 'ASC' }, select: ['ID'] });
      expectSame(
        'contacts with the marker',
        ids(found.result),
        [...contacts].sort((a, b) => a - b),
      );
    },
  },
  {
    rule: 'the fast read (ID window, start -1, chained pages) returns every matching record once, in id order',
    source: 'record docs',
    async run(client, { contacts, marker }) {
      const ascending = [];
      for await (const contact of readAll(client, 'crm.contact.list', { filter: { '=LAST_NAME': marker }, select: ['LAST_NAME'], pagesPerBatch: 2 }))
        ascending.push(contact);
      expectSame(
        'ascending read',
        ids(ascending),
        [...contacts].sort((a, b) => a - b),
      );
      const descending = [];
      for await (const contact of readAll(client, 'crm.contact.list', { filter: { '=LAST_NAME': marker }, descending: true })) descending.push(contact);
      expectSame(
        'descending read',
        ids(descending),
        [...contacts].sort((a, b) => b - a),
      );
    },
  },
  {
    rule: 'an update changes only the fields sent, and get shows it; a phone entry is added, changed by ID and removed by DELETE',
    source: 'record docs',
    async run(client, { lead, contacts: [a] }) {
      expectSame(
        'update',
        await client.crm.contact.update({ id: a, fields: { POST: 'Verified buyer', PHONE: [{ VALUE: '555000111', VALUE_TYPE: 'WORK' }] } }),
        true,
      );
      const after = await client.crm.contact.get({ id: a });
      expectSame('POST after update', after.POST, 'Verified buyer');
      const [added] = await contactPhones(client, a);
      if (!added?.ID) throw new ScenarioMismatch(`the added phone has no entry ID: ${JSON.stringify(after.PHONE)}`);
      await client.crm.contact.update({ id: a, fields: { PHONE: [{ ID: added.ID, VALUE: '555000222', VALUE_TYPE: 'MOBILE' }] } });
      expectSame('phone changed by ID', await contactPhones(client, a), [{ ID: added.ID, VALUE: '555000222' }]);
      await client.crm.contact.update({ id: a, fields: { PHONE: [{ ID: added.ID, DELETE: 'Y' }] } });
      expectSame('phone removed by DELETE', await contactPhones(client, a), []);
      await client.crm.lead.update({ id: lead, fields: { OPPORTUNITY: 12500, CURRENCY_ID: 'USD' } });
      expectSame('lead amount as text with two decimals', (await client.crm.lead.get({ id: lead })).OPPORTUNITY, '12500.00');
    },
  },
  {
    rule: 'a lead update with CONTACT_IDS replaces its links; CONTACT_ID among them becomes primary',
    source: 'record docs (inferred)',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.lead.update({ id: lead, fields: { CONTACT_IDS: [a, b], CONTACT_ID: b } });
      const items = await client.crm.lead.contact.items.get({ id: lead });
      expectSame(
        'items.get after the update',
        items.map((item) => [Number(item.CONTACT_ID), item.IS_PRIMARY]),
        [
          [a, 'N'],
          [b, 'Y'],
        ],
      );
      expectSame('CONTACT_ID of the lead', (await client.crm.lead.get({ id: lead })).CONTACT_ID, String(b));
    },
  },
  {
    rule: 'crm.duplicate.findbycomm finds a contact by its phone (any punctuation) and by its e-mail (any case)',
    source: 'record docs (inferred)',
    async run(client, { lead, contacts: [, , c] }) {
      const { phone, phoneDigits, email } = communications(lead, c);
      await client.crm.contact.update({ id: c, fields: { PHONE: [{ VALUE: phone, VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: email, VALUE_TYPE: 'WORK' }] } });
      const byPhone = await client.crm.duplicate.findbycomm({ type: 'PHONE', values: [phoneDigits], entity_type: 'CONTACT' });
      expectSame('by phone', Array.isArray(byPhone) ? [] : byPhone.CONTACT, [c]);
      const byEmail = await client.crm.duplicate.findbycomm({ type: 'EMAIL', values: [email.toUpperCase()] });
      expectSame('by e-mail', Array.isArray(byEmail) ? [] : byEmail.CONTACT, [c]);
      expectSame('nothing for an unused e-mail', await client.crm.duplicate.findbycomm({ type: 'EMAIL', values: [`none.${email}`] }), []);
    },
  },
];
