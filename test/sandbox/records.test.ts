// The record methods the sandbox keeps so tests (and verify --write) can create what they link.
import { describe, expect, it } from 'vitest';
import { exampleResult } from '../../src/sandbox/contract-data.js';
import { sandboxWithClient } from './checked-sandbox.js';

const recordNotFound = { status: 400, code: '', description: 'Not found' };

describe('crm.lead.get', () => {
  it('shows the example records exactly as the documented examples do', async () => {
    const { client } = sandboxWithClient();
    const { DATE_MODIFY: _m1, ...lead1 } = exampleResult('leadWithContacts') as Record<string, unknown>;
    const { DATE_MODIFY: _m2, ...lead2 } = exampleResult('leadWithoutContacts') as Record<string, unknown>;
    expect(await client.crm.lead.get({ id: 1 })).toMatchObject(lead1);
    expect(await client.crm.lead.get({ id: 2 })).toMatchObject(lead2);
    expect(await client.crm.contact.get({ id: 1010 })).toEqual(exampleResult('contactRecord'));
  });

  it('mirrors the primary link in CONTACT_ID as the links change', async () => {
    const { client } = sandboxWithClient();
    await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } });
    expect(await client.crm.lead.get({ id: 2 })).toMatchObject({ CONTACT_ID: '1020', CONTACT_IDS: [1020] });
    await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1011, IS_PRIMARY: 'Y' } });
    expect(await client.crm.lead.get({ id: 2 })).toMatchObject({ CONTACT_ID: '1011' });
    await client.crm.lead.contact.items.delete({ id: 2 });
    expect(await client.crm.lead.get({ id: 2 })).toMatchObject({ CONTACT_ID: null, CONTACT_IDS: [] });
  });

  it('a missing lead gets the empty-code "Not found" of the record methods', async () => {
    const { client } = sandboxWithClient();
    await expect(client.crm.lead.get({ id: 999 })).rejects.toMatchObject(recordNotFound);
    await expect(client.crm.lead.delete({ id: 999 })).rejects.toMatchObject(recordNotFound);
    await expect(client.crm.contact.get({ id: 999 })).rejects.toMatchObject(recordNotFound);
  });
});

describe('crm.lead.add and crm.contact.add', () => {
  it('give the next ids after the example records, as leadCreated and contactCreated show', async () => {
    const { client } = sandboxWithClient();
    expect(await client.crm.lead.add({ fields: { TITLE: 'New' } })).toBe(exampleResult('leadCreated'));
    expect(await client.crm.contact.add({ fields: { NAME: 'New' } })).toBe(exampleResult('contactCreated'));
  });

  it('store standard fields as a portal does and read them back as text, multiple fields with ids', async () => {
    const { client } = sandboxWithClient();
    const id = await client.crm.lead.add({
      fields: { TITLE: 'Call back', OPPORTUNITY: 1500, ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: '555', VALUE_TYPE: 'WORK' }], UF_CRM_X: 'kept' },
    });
    expect(await client.crm.lead.get({ id })).toMatchObject({
      ID: String(id),
      TITLE: 'Call back',
      OPPORTUNITY: '1500.00', // amounts come back with two decimals, as a portal's database sends them
      ASSIGNED_BY_ID: '1',
      PHONE: [{ VALUE: '555', VALUE_TYPE: 'WORK', TYPE_ID: 'PHONE', ID: expect.stringMatching(/^\d+$/) }],
      UF_CRM_X: 'kept',
      CONTACT_ID: null,
    });
  });

  it('a lead created with CONTACT_IDS is linked to them, the first one primary', async () => {
    const { client } = sandboxWithClient();
    const id = await client.crm.lead.add({ fields: { TITLE: 'Referral', CONTACT_IDS: ['1010', '1011'] } });
    expect(await client.crm.lead.contact.items.get({ id })).toMatchObject([
      { CONTACT_ID: 1010, IS_PRIMARY: 'Y' },
      { CONTACT_ID: 1011, IS_PRIMARY: 'N' },
    ]);
  });
});

describe('crm.lead.delete and crm.contact.delete', () => {
  it('deleting a linked contact unlinks it everywhere and promotes the next link', async () => {
    const { client, sandbox } = sandboxWithClient();
    await expect(client.crm.contact.delete({ id: 1010 })).resolves.toBe(true);
    expect(sandbox.lead(1)?.contacts).toEqual([{ CONTACT_ID: 1011, SORT: 20, IS_PRIMARY: 'Y' }]);
    await expect(client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a deleted lead is gone for every method', async () => {
    const { client } = sandboxWithClient();
    await client.crm.lead.delete({ id: 1 });
    await expect(client.crm.lead.contact.items.get({ id: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('crm.lead.add with contacts', () => {
  it('marks a lead created with a contact as a repeat lead, one created without as not', async () => {
    const { client } = sandboxWithClient();
    const plain = await client.crm.lead.add({ fields: { TITLE: 'Plain' } });
    const repeat = await client.crm.lead.add({ fields: { TITLE: 'Repeat', CONTACT_ID: 1020 } });
    expect(await client.crm.lead.get({ id: plain })).toMatchObject({ IS_RETURN_CUSTOMER: 'N' });
    expect(await client.crm.lead.get({ id: repeat })).toMatchObject({ IS_RETURN_CUSTOMER: 'Y', CONTACT_ID: '1020' });
  });

  it('leaves out contacts that do not exist, silently', async () => {
    const { client } = sandboxWithClient();
    const id = await client.crm.lead.add({ fields: { TITLE: 'Partly', CONTACT_IDS: [1010, 99999] } });
    expect((await client.crm.lead.contact.items.get({ id })).map((item) => item.CONTACT_ID)).toEqual([1010]);
  });
});

describe('crm.lead.contact.items.get order', () => {
  it('lists links of equal SORT by contact id, smallest first', async () => {
    const { client } = sandboxWithClient();
    await client.crm.lead.contact.items.set({
      id: 2,
      items: [
        { CONTACT_ID: 1020, SORT: 10 },
        { CONTACT_ID: 1010, SORT: 10 },
      ],
    });
    expect((await client.crm.lead.contact.items.get({ id: 2 })).map((item) => item.CONTACT_ID)).toEqual([1010, 1020]);
  });
});
