import { describe, expectTypeOf, it } from 'vitest';
import { batch, cmd, createBitrix24Client, readAll, readPages, type BatchCommand, type ItemRecord } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });

describe('crm.item.add, get and update answer with result.item, typed by entityTypeId', () => {
  it('types a lead as a lead and a contact as a contact', async () => {
    const { item: lead } = await client.crm.item.get({ entityTypeId: 1, id: 1 });
    expectTypeOf(lead).toEqualTypeOf<ItemRecord<1>>();
    expectTypeOf(lead.id).toEqualTypeOf<number>();
    expectTypeOf(lead.opportunity).toEqualTypeOf<number | null | undefined>();
    expectTypeOf(lead.contactIds).toEqualTypeOf<number[] | undefined>();
    const { item: contact } = await client.crm.item.add({ entityTypeId: 3, fields: { name: 'Maria' } });
    expectTypeOf(contact).toEqualTypeOf<ItemRecord<3>>();
    // @ts-expect-error a contact has no title
    contact.title;
    const updated = await client.crm.item.update({ entityTypeId: 1, id: 2, fields: { contactIds: [1010, 1020] } });
    expectTypeOf(updated.item.isReturnCustomer).toEqualTypeOf<'Y' | 'N' | undefined>();
  });

  it('answers delete with an empty array and fields with descriptions by camelCase name', async () => {
    expectTypeOf(client.crm.item.delete({ entityTypeId: 3, id: 1010 })).resolves.toEqualTypeOf<[]>();
    const { fields } = await client.crm.item.fields({ entityTypeId: 1 });
    expectTypeOf(fields.stageId.upperName).toEqualTypeOf<string>();
  });

  it('takes only kinds 1 and 3', () => {
    // @ts-expect-error 2 (deals) is not in the contract
    client.crm.item.get({ entityTypeId: 2, id: 1 });
  });
});

describe('crm.item fields are checked by entityTypeId', () => {
  it('accepts the kind’s writable fields and custom fields', () => {
    client.crm.item.add({
      entityTypeId: 1,
      fields: { title: 'Enquiry', opportunity: 12500, stageId: 'NEW', opened: 'Y', contactIds: [1010], ufCrm_1720019876534: '321', parentId1222: 5 },
    });
    client.crm.item.add({ entityTypeId: 3, fields: { name: 'Maria', typeId: 'CLIENT', companyIds: [4], UF_CRM_1720019876534: 'x' }, useOriginalUfNames: 'Y' });
  });

  it('rejects a misspelt field, a contact field on a lead, a lead field on a contact, and a wrong value type', () => {
    // @ts-expect-error titel is not a lead field
    client.crm.item.add({ entityTypeId: 1, fields: { titel: 'x' } });
    // @ts-expect-error typeId is a contact field; a lead has none
    client.crm.item.add({ entityTypeId: 1, fields: { typeId: 'CLIENT' } });
    // @ts-expect-error a contact has no title
    client.crm.item.add({ entityTypeId: 3, fields: { title: 'x' } });
    // @ts-expect-error a contact has no contactIds
    client.crm.item.update({ entityTypeId: 3, id: 1010, fields: { contactIds: [1] } });
    // @ts-expect-error opportunity is a number
    client.crm.item.add({ entityTypeId: 1, fields: { opportunity: '12500.00' } });
    // @ts-expect-error opened is Y or N
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { opened: true } });
    // @ts-expect-error contactIds is a list
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { contactIds: 1010 } });
  });

  it('rejects read-only fields, the flat phone and e-mail copies among them', () => {
    // @ts-expect-error phone is a read-only copy of fm
    client.crm.item.add({ entityTypeId: 1, fields: { phone: '555888' } });
    // @ts-expect-error isReturnCustomer is computed
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { isReturnCustomer: 'Y' } });
    // @ts-expect-error id is read-only
    client.crm.item.update({ entityTypeId: 3, id: 1, fields: { id: 5 } });
  });
});

describe('fm: an array of new entries on add, an object of changes on update', () => {
  it('accepts the documented forms', () => {
    client.crm.item.add({ entityTypeId: 1, fields: { fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '555888' }] } });
    client.crm.item.update({
      entityTypeId: 1,
      id: 1,
      fields: { fm: { n0: { typeId: 'PHONE', valueType: 'MOBILE', value: '+15550100' }, '11658': { typeId: 'PHONE', value: '' } } },
    });
  });

  it('rejects an entry without typeId, an array on update and an object on add', () => {
    // @ts-expect-error an entry without typeId is silently dropped by a portal
    client.crm.item.add({ entityTypeId: 1, fields: { fm: [{ valueType: 'WORK', value: '555888' }] } });
    // @ts-expect-error an entry without typeId changes nothing on a portal
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { fm: { '11658': { value: '' } } } });
    // @ts-expect-error an array on update would be appended
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { fm: [{ typeId: 'PHONE', value: '555888' }] } });
    // @ts-expect-error add takes a list of entries
    client.crm.item.add({ entityTypeId: 3, fields: { fm: { n0: { typeId: 'PHONE', value: '555888' } } } });
    // @ts-expect-error a key is n0, n1, … or an entry id
    client.crm.item.update({ entityTypeId: 1, id: 1, fields: { fm: { new: { typeId: 'PHONE', value: '1' } } } });
  });
});

describe('crm.item.list: select, filter and order by entityTypeId; records carry exactly the selection', () => {
  it('types each record by the selected fields and id', async () => {
    const page = await client.crm.item.list({ entityTypeId: 1, select: ['title', 'stageId'], filter: { '@stageId': ['NEW'] } });
    const [lead] = page.result.items;
    expectTypeOf(lead!.id).toEqualTypeOf<number>();
    expectTypeOf(lead!.title).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(page.total).toEqualTypeOf<number | undefined>();
    expectTypeOf(page.next).toEqualTypeOf<number | undefined>();
    // @ts-expect-error name was not selected
    lead!.name;
    // @ts-expect-error titel is misspelt
    lead!.titel;
    const all = await client.crm.item.list({ entityTypeId: 3, select: ['*'] });
    expectTypeOf(all.result.items).toEqualTypeOf<ItemRecord<3>[]>();
    const custom = await client.crm.item.list({ entityTypeId: 3, select: ['name', 'ufCrm_1720019876534'] });
    expectTypeOf(custom.result.items[0]!.ufCrm_1720019876534).toEqualTypeOf<unknown>();
  });

  it('accepts every prefix, nested OR groups and custom fields', () => {
    client.crm.item.list({
      entityTypeId: 1,
      filter: {
        title: 'Enquiry',
        '=stageId': ['NEW', 'IN_PROCESS'],
        '!sourceId': 'CALL',
        '>id': 10,
        '>=opportunity': 100,
        '<createdTime': '2024-06-01T00:00:00+00:00',
        '@id': [1, 2],
        '!@stageId': ['JUNK'],
        '%title': 'web',
        '=%name': 'An%',
        '!%comments': 'spam',
        '!%=lastName': 'B%',
        contactIds: 1010,
        ufCrm_1720019876534: 1,
        '0': { logic: 'OR', '!=name': '', '!=lastName': '' },
      },
      order: { id: 'ASC', createdTime: 'desc', ufCrm_1: 'ASC' },
      start: -1,
    });
  });

  it('rejects a misspelt or foreign field in select, filter and order, and wrong value types', () => {
    // @ts-expect-error titel is not a lead field
    client.crm.item.list({ entityTypeId: 1, select: ['titel'] });
    // @ts-expect-error a contact has no title
    client.crm.item.list({ entityTypeId: 3, select: ['title'] });
    // @ts-expect-error fm cannot be named in select; it comes with *
    client.crm.item.list({ entityTypeId: 1, select: ['fm'] });
    // @ts-expect-error titel is not a lead field, whatever the prefix
    client.crm.item.list({ entityTypeId: 1, filter: { '%titel': 'x' } });
    // @ts-expect-error a contact has no stageId
    client.crm.item.list({ entityTypeId: 3, filter: { stageId: 'NEW' } });
    // @ts-expect-error titel is not a lead field
    client.crm.item.list({ entityTypeId: 1, order: { titel: 'ASC' } });
    // @ts-expect-error opportunity is a number
    client.crm.item.list({ entityTypeId: 1, filter: { '>opportunity': '100' } });
    // @ts-expect-error @ takes a list
    client.crm.item.list({ entityTypeId: 1, filter: { '@id': 1 } });
    // @ts-expect-error a direction is ASC or DESC
    client.crm.item.list({ entityTypeId: 1, order: { id: 'UP' } });
  });
});

describe('cmd.crm.item.* and readAll over crm.item.list', () => {
  it('builds batch commands checked like the client methods', async () => {
    const command = cmd.crm.item.update({ entityTypeId: 1, id: 2, fields: { contactIds: [1010] } });
    expectTypeOf(command).toEqualTypeOf<BatchCommand<'crm.item.update'>>();
    // @ts-expect-error a contact has no title
    cmd.crm.item.add({ entityTypeId: 3, fields: { title: 'x' } });
    const out = await batch(client, { read: cmd.crm.item.get({ entityTypeId: 3, id: 1010 }) });
    if (out.read.ok) expectTypeOf(out.read.result.item.id).toEqualTypeOf<number>();
  });

  it('reads records with exactly the selected fields and id', async () => {
    for await (const lead of readAll(client, 'crm.item.list', { entityTypeId: 1, select: ['title'], filter: { '@stageId': ['NEW'] } })) {
      expectTypeOf(lead.id).toEqualTypeOf<number>();
      expectTypeOf(lead.title).toEqualTypeOf<string | null | undefined>();
      // @ts-expect-error stageId was not selected
      lead.stageId;
    }
    for await (const page of readPages(client, 'crm.item.list', { entityTypeId: 3, order: { id: 'DESC' } }))
      expectTypeOf(page).toEqualTypeOf<ItemRecord<3>[]>();
    // @ts-expect-error the window moves along id
    readAll(client, 'crm.item.list', { entityTypeId: 1, order: { title: 'ASC' } });
    // @ts-expect-error the reader sends start: -1 itself
    readAll(client, 'crm.item.list', { entityTypeId: 1, start: 0 });
    // @ts-expect-error a contact has no title
    readAll(client, 'crm.item.list', { entityTypeId: 3, select: ['title'] });
  });
});
