import { describe, expectTypeOf, it } from 'vitest';
import { rawClient, createBitrix24Client, type Bitrix24ErrorCode, type Bitrix24Error } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });

describe('crm.lead.contact.add types', () => {
  it('returns the boolean result', () => {
    expectTypeOf(client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })).resolves.toEqualTypeOf<boolean>();
  });

  it('accepts the documented fields', () => {
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, SORT: 20, IS_PRIMARY: 'Y' } });
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }, { signal: new AbortController().signal });
  });

  it('rejects a misspelt method', () => {
    // @ts-expect-error there is no crm.lead.contact.ad
    client.crm.lead.contact.ad({ id: 1, fields: { CONTACT_ID: 1010 } });
  });

  it('rejects a misspelt field', () => {
    // @ts-expect-error CONTACTID is not a field
    client.crm.lead.contact.add({ id: 1, fields: { CONTACTID: 1010 } });
  });

  it('rejects a wrong value type', () => {
    // @ts-expect-error CONTACT_ID is an integer, not text
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: '1010' } });
    // @ts-expect-error IS_PRIMARY is the string 'Y' or 'N', not a boolean
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: true } });
    // @ts-expect-error IS_PRIMARY has no value 'X'
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: 'X' } });
  });

  it('rejects a call without the required parameters', () => {
    // @ts-expect-error fields is required
    client.crm.lead.contact.add({ id: 1 });
    // @ts-expect-error CONTACT_ID is required
    client.crm.lead.contact.add({ id: 1, fields: { SORT: 10 } });
    // @ts-expect-error parameters are required
    client.crm.lead.contact.add();
  });

  it('does not take the OAuth token as a parameter: the client adds it', () => {
    // @ts-expect-error auth is set by the client
    client.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 }, auth: 'token' });
  });
});

describe('client.call types', () => {
  it('types parameters and result by the method name', () => {
    expectTypeOf(client.call('crm.lead.contact.add', { id: 1, fields: { CONTACT_ID: 1010 } })).resolves.toEqualTypeOf<boolean>();
    // @ts-expect-error crm.lead.contact.add needs fields
    client.call('crm.lead.contact.add', { id: 1 });
    // @ts-expect-error not a method of the contract
    client.call('crm.lead.contact.ad', {});
  });
});

describe('Bitrix24Error types', () => {
  it('offers the known codes and still accepts any string', () => {
    expectTypeOf<'NOT_FOUND'>().toExtend<Bitrix24ErrorCode>();
    expectTypeOf<'OPERATION_TIME_LIMIT'>().toExtend<Bitrix24ErrorCode>();
    expectTypeOf<''>().toExtend<Bitrix24ErrorCode>();
    expectTypeOf<'SOMETHING_NEW'>().toExtend<Bitrix24ErrorCode>();
    expectTypeOf<Bitrix24Error['status']>().toEqualTypeOf<number>();
  });

  it('keeps the raw client typed by path', () => {
    // @ts-expect-error the raw client knows only the contract's paths
    rawClient(client).POST('/crm.lead.contact.ad', { body: { id: 1 } });
  });
});
