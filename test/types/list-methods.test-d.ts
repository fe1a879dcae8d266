import { describe, expectTypeOf, it } from 'vitest';
import { createBitrix24Client, type components } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
type Schemas = components['schemas'];

describe('crm.lead.list and crm.contact.list answer with the page, total and next', () => {
  it('types the paging numbers and each record as the list sends it, ID always as text', async () => {
    const page = await client.crm.lead.list({ filter: { '>ID': 0 }, order: { ID: 'ASC' }, start: -1 });
    expectTypeOf(page.total).toEqualTypeOf<number | undefined>();
    expectTypeOf(page.next).toEqualTypeOf<number | undefined>();
    expectTypeOf(page.result[0]!.ID).toEqualTypeOf<string>();
    expectTypeOf(page.result[0]!.OPPORTUNITY).toEqualTypeOf<string | null | undefined>();
    const contacts = await client.crm.contact.list();
    expectTypeOf(contacts.result[0]!.NAME).toEqualTypeOf<string | null | undefined>();
  });
});

describe('crm.lead.list and crm.contact.list records carry exactly the selected fields and ID', () => {
  it('types a named field, and refuses to read one not selected or misspelt', async () => {
    const leads = await client.crm.lead.list({ select: ['TITLE', 'PHONE'] });
    const [lead] = leads.result;
    expectTypeOf(lead!.ID).toEqualTypeOf<string>();
    expectTypeOf(lead!.TITLE).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(lead!.PHONE).toEqualTypeOf<Schemas['LeadListRecord']['PHONE']>();
    // @ts-expect-error NAME was not selected
    lead!.NAME;
    // @ts-expect-error TITEL is misspelt
    lead!.TITEL;
    const contacts = await client.crm.contact.list({ select: ['NAME'] });
    expectTypeOf(contacts.result[0]!.NAME).toEqualTypeOf<string | null | undefined>();
    // @ts-expect-error LAST_NAME was not selected
    contacts.result[0]!.LAST_NAME;
  });

  it('* brings the standard fields that are not multiple, UF_* the custom ones', async () => {
    const [lead] = (await client.crm.lead.list({ select: ['*'] })).result;
    expectTypeOf(lead!.STATUS_ID).toEqualTypeOf<string | null | undefined>();
    // @ts-expect-error PHONE is multiple: * does not bring it
    lead!.PHONE;
    // @ts-expect-error custom fields come with UF_* only
    lead!.UF_CRM_1;
    const [contact] = (await client.crm.contact.list({ select: ['*', 'UF_*'] })).result;
    expectTypeOf(contact!.UF_CRM_1).toEqualTypeOf<unknown>();
    // @ts-expect-error NAEM is misspelt
    contact!.NAEM;
  });

  it('without select, a record carries * and UF_*', async () => {
    const [contact] = (await client.crm.contact.list()).result;
    expectTypeOf(contact!.LAST_NAME).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(contact!.UF_CRM_1720697698689).toEqualTypeOf<unknown>();
    // @ts-expect-error LAST_NAEM is misspelt
    contact!.LAST_NAEM;
  });
});

describe('select, filter and order take only the fields crm.*.fields documents, and UF_ fields', () => {
  it('accepts standard names, masks, every prefix and custom fields', () => {
    client.crm.lead.list({
      select: ['ID', 'TITLE', 'PHONE', 'CONTACT_IDS', '*', 'UF_*', 'UF_CRM_1704817278'],
      filter: {
        TITLE: 'Website enquiry',
        '=STATUS_ID': ['NEW', 'IN_PROCESS'],
        '!SOURCE_ID': 'CALL',
        '!=SOURCE_ID': null,
        '>ID': 10,
        '>=OPPORTUNITY': '100.00',
        '<DATE_CREATE': '2024-06-01T00:00:00+00:00',
        '<=ASSIGNED_BY_ID': 5,
        '@ID': [1, 2, '3'],
        '!@STATUS_ID': ['JUNK'],
        '%TITLE': 'enquiry',
        '=%NAME': 'An%',
        '%=NAME': '%na',
        '!%COMMENTS': 'spam',
        '!%=LAST_NAME': 'B%',
        OPENED: 'Y',
        PHONE: '555888',
        UF_CRM_1704817278: 42,
        '>UF_CRM_1706782596092': '2024-01-01',
      },
      order: { DATE_CREATE: 'DESC', ID: 'asc', UF_CRM_1: 'ASC' },
    });
    client.crm.contact.list({ select: ['ID', 'NAME', 'EMAIL'], filter: { EMAIL: 'john@example.org', '%LAST_NAME': 'Smi', '@TYPE_ID': ['CLIENT'] } });
  });

  it('rejects a misspelt field, with or without an operator prefix', () => {
    // @ts-expect-error TITEL is not a lead field
    client.crm.lead.list({ select: ['TITEL'] });
    // @ts-expect-error TITEL is not a lead field
    client.crm.lead.list({ filter: { TITEL: 'x' } });
    // @ts-expect-error TITEL is not a lead field, whatever the prefix
    client.crm.lead.list({ filter: { '%TITEL': 'x' } });
    // @ts-expect-error STAUS_ID is not a lead field
    client.crm.lead.list({ filter: { '!@STAUS_ID': ['NEW'] } });
    // @ts-expect-error TITEL is not a lead field
    client.crm.lead.list({ order: { TITEL: 'ASC' } });
    // @ts-expect-error TYPE_ID is a contact field, not a lead field
    client.crm.lead.list({ filter: { TYPE_ID: 'CLIENT' } });
    // @ts-expect-error TITLE is a lead field, not a contact field
    client.crm.contact.list({ select: ['TITLE'] });
    // @ts-expect-error "~" is not an operator prefix
    client.crm.contact.list({ filter: { '~NAME': 'x' } });
  });

  it('rejects a wrong value type', () => {
    // @ts-expect-error TITLE is text
    client.crm.lead.list({ filter: { TITLE: 42 } });
    // @ts-expect-error OPENED is Y or N
    client.crm.lead.list({ filter: { OPENED: true } });
    // @ts-expect-error @ takes a list
    client.crm.lead.list({ filter: { '@ID': 1 } });
    // @ts-expect-error > takes one value
    client.crm.lead.list({ filter: { '>ID': [1, 2] } });
    // @ts-expect-error a direction is ASC or DESC
    client.crm.lead.list({ order: { ID: 'UP' } });
    // @ts-expect-error start is a number
    client.crm.lead.list({ start: '50' });
  });
});

describe('crm.lead.update and crm.contact.update types', () => {
  it('take standard fields, multi-field edits, contacts and params, and answer true', () => {
    expectTypeOf(
      client.crm.lead.update({
        id: 1,
        fields: {
          TITLE: 'Called back',
          OPPORTUNITY: 4800,
          CONTACT_IDS: [1010, '1020'],
          CONTACT_ID: 1020,
          PHONE: [{ VALUE: '555777' }, { ID: 11658, VALUE: '555999', VALUE_TYPE: 'MOBILE' }, { ID: '11659', DELETE: 'Y' }, { ID: 11660 }],
          UF_CRM_1: 'anything',
        },
        params: { REGISTER_SONET_EVENT: 'N' },
      }),
    ).resolves.toEqualTypeOf<boolean>();
    client.crm.contact.update({
      id: 1010,
      fields: { POST: 'Buyer', EMAIL: [{ VALUE: 'a@example.org', VALUE_TYPE: 'WORK' }] },
      params: { REGISTER_HISTORY_EVENT: 'N' },
    });
  });

  it('rejects wrong types and a missing id or fields', () => {
    // @ts-expect-error fields is required
    client.crm.lead.update({ id: 1 });
    // @ts-expect-error id is required
    client.crm.contact.update({ fields: {} });
    // @ts-expect-error OPENED is Y or N
    client.crm.lead.update({ id: 1, fields: { OPENED: true } });
    // @ts-expect-error DELETE is Y or N
    client.crm.contact.update({ id: 1, fields: { PHONE: [{ ID: 1, DELETE: true }] } });
  });
});

describe('crm.lead.fields, crm.contact.fields and crm.duplicate.findbycomm types', () => {
  it('describe fields by name', () => {
    expectTypeOf(client.crm.lead.fields()).resolves.toEqualTypeOf<Record<string, Schemas['FieldDescription']>>();
    expectTypeOf(client.crm.contact.fields).parameter(0).toEqualTypeOf<Record<string, never> | undefined>();
  });

  it('find by PHONE or EMAIL, optionally in one kind of record', async () => {
    const found = await client.crm.duplicate.findbycomm({ type: 'PHONE', values: ['555888'], entity_type: 'CONTACT' });
    if (!Array.isArray(found)) expectTypeOf(found.CONTACT).toEqualTypeOf<number[] | undefined>();
    // @ts-expect-error type is EMAIL or PHONE
    client.crm.duplicate.findbycomm({ type: 'FAX', values: ['1'] });
    // @ts-expect-error entity_type is LEAD, CONTACT or COMPANY
    client.crm.duplicate.findbycomm({ type: 'EMAIL', values: ['a@b.c'], entity_type: 'DEAL' });
  });
});
