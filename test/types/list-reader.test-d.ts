import { describe, expectTypeOf, it } from 'vitest';
import { createBitrix24Client, readAll, readPages, type components, type ListRecord } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
type Schemas = components['schemas'];

describe('readAll is typed by the list method it reads', () => {
  it('yields records with exactly the selected fields and ID as text', async () => {
    for await (const lead of readAll(client, 'crm.lead.list', { select: ['TITLE'] })) {
      expectTypeOf(lead.ID).toEqualTypeOf<string>();
      expectTypeOf(lead.TITLE).toEqualTypeOf<Schemas['LeadListRecord']['TITLE']>();
      // @ts-expect-error NAME was not selected
      lead.NAME;
    }
    for await (const page of readPages(client, 'crm.contact.list')) {
      expectTypeOf(page).toEqualTypeOf<ListRecord<'crm.contact.list'>[]>();
      expectTypeOf(page[0]!.ID).toEqualTypeOf<string>();
      // @ts-expect-error NAEM is misspelt
      page[0]!.NAEM;
    }
    expectTypeOf<ListRecord<'crm.lead.list', ['TITLE']>['ID']>().toEqualTypeOf<string>();
  });

  it("takes the method's own filter and select, checked like the method's", () => {
    readAll(client, 'crm.lead.list', { filter: { '>ID': 100, STATUS_ID: 'NEW', '%TITLE': 'web', UF_CRM_1704817278: 'x' }, select: ['ID', 'UF_*'] });
    // @ts-expect-error a misspelt filter field
    readAll(client, 'crm.lead.list', { filter: { TITEL: 'web' } });
    // @ts-expect-error a misspelt select field
    readAll(client, 'crm.contact.list', { select: ['NAEM'] });
  });

  it('orders by ID only and takes no start', () => {
    readAll(client, 'crm.lead.list', { order: { ID: 'DESC' } });
    // @ts-expect-error the window moves along ID
    readAll(client, 'crm.lead.list', { order: { TITLE: 'ASC' } });
    // @ts-expect-error the reader sends start: -1 itself
    readAll(client, 'crm.lead.list', { start: 0 });
  });

  it('reads list methods only', () => {
    // @ts-expect-error crm.lead.get is not a list method
    readAll(client, 'crm.lead.get', {});
  });

  it('reads through a client made by createBitrix24Client', () => {
    // @ts-expect-error a bare object is not a client
    readAll({}, 'crm.lead.list');
  });
});
