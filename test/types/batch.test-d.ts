import { describe, expectTypeOf, it } from 'vitest';
import { bulk, batch, cmd, createBitrix24Client, type Bitrix24Error, type BatchCommand, type BatchOutcome, type MethodResult } from '../../src/index.js';

const client = createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
type Items = MethodResult<'crm.lead.contact.items.get'>;

describe('cmd', () => {
  it('builds a command typed by its method', () => {
    expectTypeOf(cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } })).toEqualTypeOf<BatchCommand<'crm.lead.contact.add'>>();
    expectTypeOf(cmd.crm.lead.contact.fields()).toEqualTypeOf<BatchCommand<'crm.lead.contact.fields'>>();
  });

  it('checks each command’s parameters like the client method', () => {
    // @ts-expect-error CONTACTID is not a field
    cmd.crm.lead.contact.add({ id: 1, fields: { CONTACTID: 1010 } });
    // @ts-expect-error CONTACT_ID is an integer, not text
    cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: '1010' } });
    // @ts-expect-error IS_PRIMARY is 'Y' or 'N'
    cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: true } });
    // @ts-expect-error id is required
    cmd.crm.lead.contact.items.get({});
    // @ts-expect-error the OAuth token belongs to the batch request, not to a command
    cmd.crm.lead.contact.items.get({ id: 1, auth: 'token' });
  });

  it('has no batch inside batch and no misspelt methods', () => {
    // @ts-expect-error batch cannot be a command
    cmd.batch({ cmd: {} });
    // @ts-expect-error there is no crm.lead.contact.ad
    cmd.crm.lead.contact.ad({ id: 1, fields: { CONTACT_ID: 1010 } });
  });
});

describe('client.batch', () => {
  it('types each outcome by its own command', async () => {
    const out = await batch(client, {
      a: cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }),
      b: cmd.crm.lead.contact.items.get({ id: 1 }),
    });
    expectTypeOf(out.a).toEqualTypeOf<BatchOutcome<boolean>>();
    expectTypeOf(out.b).toEqualTypeOf<BatchOutcome<Items>>();
    if (out.b.ok) expectTypeOf(out.b.result).toEqualTypeOf<Items>();
    else expectTypeOf(out.b.error).toEqualTypeOf<Bitrix24Error>();
    // @ts-expect-error only the keys that were sent come back
    void out.c;
  });

  it('keeps positions for a command list', async () => {
    const out = await batch(client, [cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }), cmd.crm.lead.contact.items.get({ id: 1 })], {
      halt: true,
    });
    expectTypeOf(out[0]).toEqualTypeOf<BatchOutcome<boolean>>();
    expectTypeOf(out[1]).toEqualTypeOf<BatchOutcome<Items>>();
  });

  it('takes typed commands only, not the raw batch parameters', () => {
    // @ts-expect-error a raw command string is not a typed command
    batch(client, { a: 'crm.lead.contact.add?id=1' });
    // @ts-expect-error the generated raw batch(params) is replaced by the typed one
    batch(client, { cmd: { a: 'crm.lead.contact.add?id=1' }, halt: 0 });
    // @ts-expect-error halt is a boolean option
    batch(client, { a: cmd.crm.lead.contact.fields() }, { halt: 1 });
  });
});

describe('client.bulk', () => {
  it('types a computed list and its progress', async () => {
    const commands = [1010, 1011].map((id) => cmd.crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: id } }));
    const out = await bulk(client, commands, {
      onProgress: (progress) => expectTypeOf(progress).toEqualTypeOf<{ done: number; total: number }>(),
      signal: new AbortController().signal,
    });
    expectTypeOf(out).toEqualTypeOf<BatchOutcome<boolean>[]>();
  });

  it('types a computed record', async () => {
    const commands: Record<string, BatchCommand<'crm.lead.contact.items.get'>> = { lead1: cmd.crm.lead.contact.items.get({ id: 1 }) };
    const out = await bulk(client, commands);
    expectTypeOf(out).toEqualTypeOf<{ [key: string]: BatchOutcome<Items> }>();
  });
});
