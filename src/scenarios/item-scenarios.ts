import type { Bitrix24Client } from '../client/client.js';
import { isBitrix24Error } from '../client/errors.js';
import { expectSame, type Scenario, ScenarioMismatch } from './lead-contact-scenarios.js';

const LEAD = 1 as const;
const CONTACT = 3 as const;

// biome-ignore lint/suspicious/noExplicitAny: a scenario reads what the portal answered, whatever its declared type
type Item = Record<string, any>;

async function item(client: Bitrix24Client, entityTypeId: 1 | 3, id: number): Promise<Item> {
  return (entityTypeId === LEAD ? await client.crm.item.get({ entityTypeId, id }) : await client.crm.item.get({ entityTypeId, id })).item;
}

async function links(client: Bitrix24Client, lead: number) {
  return (await client.crm.lead.contact.items.get({ id: lead })).map((link) => [Number(link.CONTACT_ID), link.IS_PRIMARY]);
}

const fmEntry = (entry: Item) => [entry.typeId, entry.valueType, entry.value];
/** The `fm` entry with this id, as `[typeId, valueType, value]`, or nothing. */
const entryOf = (record: Item, id: number) => ((record.fm ?? []) as Item[]).filter((entry) => entry.id === id).map(fmEntry);

/**
 * The crm.item rules for leads and contacts, each written once: `npm test` runs them against the
 * sandbox, `verify --write` against a portal. The points the vendor leaves open are marked
 * `crm.item (vendor silent)`: the sandbox follows the documented sibling's rule, and the first run
 * on a real portal settles them.
 */
export const itemScenarios: readonly Scenario[] = [
  {
    rule: 'crm.item and the legacy methods read one record: JSON numbers in crm.item.get, text in crm.lead.get',
    source: 'crm.item docs',
    async run(client, { lead }) {
      await client.crm.lead.update({ id: lead, fields: { OPPORTUNITY: 12500, CURRENCY_ID: 'USD' } });
      const read = await item(client, LEAD, lead);
      expectSame('crm.item.get id and opportunity', [read.id, read.opportunity, read.entityTypeId], [lead, 12500, LEAD]);
      await client.crm.item.update({ entityTypeId: LEAD, id: lead, fields: { opportunity: 4800 } });
      const legacy = await client.crm.lead.get({ id: lead });
      expectSame('crm.lead.get ID and OPPORTUNITY after crm.item.update', [legacy.ID, legacy.OPPORTUNITY], [String(lead), '4800.00']);
    },
  },
  {
    rule: 'contactIds set by crm.item.update are the links crm.lead.contact.items.get shows, the first one primary, and make a repeat lead',
    source: 'crm.item (vendor silent)',
    async run(client, { lead, contacts: [a, b] }) {
      await client.crm.item.update({ entityTypeId: LEAD, id: lead, fields: { contactIds: [b, a] } });
      expectSame('items.get after the update', await links(client, lead), [
        [b, 'Y'],
        [a, 'N'],
      ]);
      const read = await item(client, LEAD, lead);
      expectSame('contactIds, contactId and isReturnCustomer', [read.contactIds, read.contactId, read.isReturnCustomer], [[b, a], b, 'Y']);
    },
  },
  {
    rule: 'when contactId and contactIds disagree, contactIds decides and its first contact is primary',
    source: 'crm.item (vendor silent)',
    async run(client, { lead, contacts: [a, b, c] }) {
      await client.crm.item.update({ entityTypeId: LEAD, id: lead, fields: { contactIds: [a, b], contactId: c } });
      const read = await item(client, LEAD, lead);
      expectSame('contactIds and contactId', [read.contactIds, read.contactId], [[a, b], a]);
    },
  },
  {
    rule: 'a link made by crm.lead.contact.add shows in crm.item.get as contactIds and contactId',
    source: 'crm.item docs',
    async run(client, { lead, contacts: [a] }) {
      await client.crm.lead.contact.add({ id: lead, fields: { CONTACT_ID: a } });
      const read = await item(client, LEAD, lead);
      expectSame('contactIds and contactId', [read.contactIds, read.contactId], [[a], a]);
    },
  },
  {
    rule: 'fm on crm.item.update: n0 adds an entry, its id with a value changes it, its id with value "" removes it, the others stay',
    source: 'crm.item docs',
    async run(client, { contacts: [, , c] }) {
      const digits = String(c).slice(-7).padStart(7, '0');
      const added = await client.crm.item.update({
        entityTypeId: CONTACT,
        id: c,
        fields: { fm: { n0: { typeId: 'PHONE', valueType: 'WORK', value: `+1 556 ${digits}` } } },
      });
      const entry = ((added as { item: Item }).item.fm as Item[]).find((each) => each.value === `+1 556 ${digits}`);
      if (!entry) throw new ScenarioMismatch(`the added phone is not in fm: ${JSON.stringify((added as { item: Item }).item.fm)}`);
      await client.crm.item.update({
        entityTypeId: CONTACT,
        id: c,
        fields: { fm: { [entry.id]: { typeId: 'PHONE', valueType: 'MOBILE', value: `+1 557 ${digits}` } } },
      });
      const others = (await item(client, CONTACT, c)).fm.filter((each: Item) => each.id !== entry.id).map(fmEntry);
      expectSame('the entry after the change', entryOf(await item(client, CONTACT, c), entry.id), [['PHONE', 'MOBILE', `+1 557 ${digits}`]]);
      await client.crm.item.update({ entityTypeId: CONTACT, id: c, fields: { fm: { [entry.id]: { typeId: 'PHONE', value: '' } } } });
      const after = await item(client, CONTACT, c);
      expectSame('the entry after the removal', entryOf(after, entry.id), []);
      expectSame('the other entries', (after.fm as Item[]).map(fmEntry), others);
    },
  },
  {
    rule: 'crm.item.list sends fm only with select ["*"]; an omitted select sends every other field',
    source: 'crm.item (vendor silent)',
    async run(client, { contacts, marker }) {
      const list = async (select?: ['*']) =>
        (
          (await client.crm.item.list({
            entityTypeId: CONTACT,
            filter: { '@id': [...contacts], '=lastName': marker },
            ...(select ? { select } : {}),
          })) as {
            result: { items: Item[] };
          }
        ).result.items;
      const star = await list(['*']);
      expectSame('fm with select ["*"]', star.length > 0 && star.every((each) => Array.isArray(each.fm)), true);
      const omitted = await list();
      expectSame(
        'fm without select',
        omitted.some((each) => 'fm' in each),
        false,
      );
      expectSame(
        'lastName and phone without select',
        omitted.every((each) => each.lastName === marker && 'phone' in each),
        true,
      );
    },
  },
  {
    rule: 'crm.item.list with start -1 answers total 0 and no next; an unknown filter field answers INVALID_ARG_VALUE',
    source: 'crm.item docs',
    async run(client, { contacts, marker }) {
      const fast = (await client.crm.item.list({
        entityTypeId: CONTACT,
        filter: { '=lastName': marker, '>id': 0 },
        order: { id: 'ASC' },
        select: ['id'],
        start: -1,
      })) as { result: { items: Item[] }; total: number; next?: number };
      expectSame('ids, total and next', [fast.result.items.map((each) => each.id), fast.total, fast.next], [[...contacts].sort((x, y) => x - y), 0, undefined]);
      const refused = await client.crm.item.list({ entityTypeId: CONTACT, filter: { titel: marker } } as never).then(
        () => undefined,
        (error: unknown) => error,
      );
      expectSame('error code of an unknown filter field', isBitrix24Error(refused) ? refused.code : String(refused), 'INVALID_ARG_VALUE');
    },
  },
];
