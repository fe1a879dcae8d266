import { describe, expectTypeOf, it } from 'vitest';
import { createBitrix24Client, type components } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
type Schemas = components['schemas'];

describe('crm.lead.contact.fields types', () => {
  it('may be called without parameters, with {} or with call options', () => {
    client.crm.lead.contact.fields();
    client.crm.lead.contact.fields({});
    client.crm.lead.contact.fields({}, { signal: new AbortController().signal });
  });

  it('rejects parameters it does not take', () => {
    // @ts-expect-error crm.lead.contact.fields takes no parameters
    client.crm.lead.contact.fields({ id: 1 });
  });

  it('returns the field descriptions keyed by name, with the documented fields always present', async () => {
    const fields = await client.crm.lead.contact.fields();
    expectTypeOf(fields.CONTACT_ID).toEqualTypeOf<Schemas['FieldDescription']>();
    expectTypeOf(fields.CONTACT_ID.isRequired).toEqualTypeOf<boolean>();
    expectTypeOf(fields.CONTACT_ID.type).toEqualTypeOf<string>();
    expectTypeOf(fields.CONTACT_ID.upperName).toEqualTypeOf<string | undefined>();
  });
});

describe('crm.lead.contact.items.get types', () => {
  it('returns items with every key present', async () => {
    const items = await client.crm.lead.contact.items.get({ id: 1 });
    expectTypeOf(items[0]!.CONTACT_ID).toEqualTypeOf<number>();
    expectTypeOf(items[0]!.SORT).toEqualTypeOf<number>();
    expectTypeOf(items[0]!.ROLE_ID).toEqualTypeOf<number>();
    expectTypeOf(items[0]!.IS_PRIMARY).toEqualTypeOf<'Y' | 'N'>();
  });

  it('rejects a call without the lead id or with a text id', () => {
    // @ts-expect-error id is required
    client.crm.lead.contact.items.get({});
    // @ts-expect-error parameters are required
    client.crm.lead.contact.items.get();
    // @ts-expect-error id is an integer, not text
    client.crm.lead.contact.items.get({ id: '1' });
  });
});

describe('crm.lead.contact.items.set types', () => {
  it('takes items as an array and returns the boolean result', () => {
    expectTypeOf(
      client.crm.lead.contact.items.set({ id: 1, items: [{ CONTACT_ID: 1010, SORT: 10, IS_PRIMARY: 'Y' }, { CONTACT_ID: 1020 }] }),
    ).resolves.toEqualTypeOf<boolean>();
  });

  it('rejects items as an object, as the docs type it', () => {
    // @ts-expect-error items is an array of entries, not one object
    client.crm.lead.contact.items.set({ id: 1, items: { CONTACT_ID: 1010 } });
    // @ts-expect-error not an object keyed by index either
    client.crm.lead.contact.items.set({ id: 1, items: { 0: { CONTACT_ID: 1010 } } });
  });

  it('rejects a boolean flag, a missing id and an entry without CONTACT_ID', () => {
    // @ts-expect-error IS_PRIMARY is the string 'Y' or 'N', not a boolean
    client.crm.lead.contact.items.set({ id: 1, items: [{ CONTACT_ID: 1010, IS_PRIMARY: true }] });
    // @ts-expect-error id is required
    client.crm.lead.contact.items.set({ items: [{ CONTACT_ID: 1010 }] });
    // @ts-expect-error items is required
    client.crm.lead.contact.items.set({ id: 1 });
    // @ts-expect-error every entry needs CONTACT_ID
    client.crm.lead.contact.items.set({ id: 1, items: [{ SORT: 10 }] });
  });

  it('rejects a misspelt key in an entry', () => {
    // @ts-expect-error CONTACTID is not a field
    client.crm.lead.contact.items.set({ id: 1, items: [{ CONTACT_ID: 1010, CONTACTID: 1 }] });
  });
});

describe('crm.lead.contact.delete types', () => {
  it('takes the lead and the contact and returns the boolean result', () => {
    expectTypeOf(client.crm.lead.contact.delete({ id: 1, fields: { CONTACT_ID: 1010 } })).resolves.toEqualTypeOf<boolean>();
  });

  it('rejects a missing id, missing fields and fields other than CONTACT_ID', () => {
    // @ts-expect-error id is required
    client.crm.lead.contact.delete({ fields: { CONTACT_ID: 1010 } });
    // @ts-expect-error fields is required
    client.crm.lead.contact.delete({ id: 1 });
    // @ts-expect-error only CONTACT_ID names the link to remove
    client.crm.lead.contact.delete({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'Y' } });
  });
});

describe('crm.lead.contact.items.delete types', () => {
  it('takes the lead and returns the boolean result', () => {
    expectTypeOf(client.crm.lead.contact.items.delete({ id: 1 })).resolves.toEqualTypeOf<boolean>();
  });

  it('rejects a call without the lead id', () => {
    // @ts-expect-error parameters are required
    client.crm.lead.contact.items.delete();
    // @ts-expect-error id is required
    client.crm.lead.contact.items.delete({});
  });
});
