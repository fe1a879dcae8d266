import { describe, expectTypeOf, it } from 'vitest';
import { batch, cmd, createBitrix24Client, type components } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
type Schemas = components['schemas'];

describe('crm.lead and crm.contact are both method namespaces and parents of crm.lead.contact', () => {
  it('offers the record methods beside the link methods', () => {
    expectTypeOf(client.crm.lead.add).toBeFunction();
    expectTypeOf(client.crm.lead.contact.add).toBeFunction();
    expectTypeOf(cmd.crm.lead.get).toBeFunction();
    expectTypeOf(cmd.crm.contact.delete).toBeFunction();
  });

  it('rejects a misspelt record method', () => {
    // @ts-expect-error there is no crm.lead.create
    client.crm.lead.create({ fields: {} });
    // @ts-expect-error there is no crm.contact.contact namespace
    client.crm.contact.contact.add({ id: 1, fields: { CONTACT_ID: 1 } });
  });
});

describe('crm.lead.add types', () => {
  it('returns the new id as a number', () => {
    expectTypeOf(client.crm.lead.add({ fields: { TITLE: 'Website enquiry' } })).resolves.toEqualTypeOf<number>();
  });

  it('takes ids as numbers or decimal text, multiple fields, options and custom fields', () => {
    client.crm.lead.add({
      fields: {
        TITLE: 'Referral',
        ASSIGNED_BY_ID: '1',
        CONTACT_ID: 1010,
        CONTACT_IDS: [1010, '1011'],
        OPENED: 'Y',
        OPPORTUNITY: '12500.00',
        PHONE: [{ VALUE: '555888', VALUE_TYPE: 'WORK' }],
        UF_CRM_1720697698689: { any: 'shape' },
      },
      params: { REGISTER_SONET_EVENT: 'N' },
    });
  });

  it('rejects wrong types on the standard fields and a missing fields object', () => {
    // @ts-expect-error fields is required
    client.crm.lead.add({ params: { REGISTER_SONET_EVENT: 'Y' } });
    // @ts-expect-error OPENED is the string 'Y' or 'N', not a boolean
    client.crm.lead.add({ fields: { OPENED: true } });
    // @ts-expect-error TITLE is text
    client.crm.lead.add({ fields: { TITLE: 42 } });
    // @ts-expect-error a phone is a list of { VALUE, VALUE_TYPE } entries, not plain text
    client.crm.lead.add({ fields: { PHONE: '555888' } });
    // @ts-expect-error REGISTER_SONET_EVENT is 'Y' or 'N'
    client.crm.lead.add({ fields: {}, params: { REGISTER_SONET_EVENT: true } });
  });
});

describe('crm.lead.get types', () => {
  it('returns ids as text and CONTACT_ID as text or null', async () => {
    const lead = await client.crm.lead.get({ id: 1 });
    expectTypeOf(lead).toEqualTypeOf<Schemas['Lead']>();
    expectTypeOf(lead.ID).toEqualTypeOf<string>();
    expectTypeOf(lead.CONTACT_ID).toEqualTypeOf<string | null>();
    expectTypeOf(lead.PHONE).toEqualTypeOf<Schemas['MultiFieldValue'][] | undefined>();
  });

  it('takes the lead id as an integer only', () => {
    // @ts-expect-error id is a number
    client.crm.lead.get({ id: '1' });
    // @ts-expect-error id is required
    client.crm.lead.get({});
  });
});

describe('crm.lead.delete and crm.contact.delete types', () => {
  it('take the id and return the boolean result', () => {
    expectTypeOf(client.crm.lead.delete({ id: 1 })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(client.crm.contact.delete({ id: 1010 })).resolves.toEqualTypeOf<boolean>();
  });

  it('reject a call without the id', () => {
    // @ts-expect-error parameters are required
    client.crm.lead.delete();
    // @ts-expect-error id is required
    client.crm.contact.delete({});
  });
});

describe('crm.contact.add types', () => {
  it('returns the new id as a number and takes custom fields', () => {
    expectTypeOf(
      client.crm.contact.add({ fields: { NAME: 'Maria', EMAIL: [{ VALUE: 'maria@example.org' }], UF_CRM_1: 'x' } }),
    ).resolves.toEqualTypeOf<number>();
  });

  it('rejects wrong types on the standard fields', () => {
    // @ts-expect-error NAME is text
    client.crm.contact.add({ fields: { NAME: 42 } });
    // @ts-expect-error an e-mail entry needs VALUE
    client.crm.contact.add({ fields: { EMAIL: [{ VALUE_TYPE: 'WORK' }] } });
  });
});

describe('crm.contact.get types', () => {
  it('returns the contact with ids as text', async () => {
    const contact = await client.crm.contact.get({ id: 1010 });
    expectTypeOf(contact).toEqualTypeOf<Schemas['Contact']>();
    expectTypeOf(contact.ID).toEqualTypeOf<string>();
    expectTypeOf(contact.LEAD_ID).toEqualTypeOf<string | null | undefined>();
  });
});

describe('batch commands for the record methods', () => {
  it('type each command’s result', async () => {
    const out = await batch(client, {
      lead: cmd.crm.lead.add({ fields: { TITLE: 'Referral' } }),
      read: cmd.crm.lead.get({ id: 1 }),
    });
    if (out.lead.ok) expectTypeOf(out.lead.result).toEqualTypeOf<number>();
    if (out.read.ok) expectTypeOf(out.read.result.CONTACT_ID).toEqualTypeOf<string | null>();
  });
});
