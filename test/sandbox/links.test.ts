// The link rules of the crm.lead.contact.* methods as the sandbox keeps them, checked through the
// client and through raw requests; every answer is also checked against the contract.
import { describe, expect, it } from 'vitest';
import { isBitrix24Error } from '../../src/index.js';
import { checkAnswer, sandboxWithClient } from '../support/checked-sandbox.js';

const notFound = { status: 400, code: 'NOT_FOUND' };

describe('crm.lead.contact.add', () => {
  it('links a contact and reports true; the sandbox state shows the link', async () => {
    const { client, sandbox } = sandboxWithClient();
    await expect(client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020, SORT: 40 } })).resolves.toBe(true);
    expect(sandbox.lead(2)?.contacts).toEqual([{ CONTACT_ID: 1020, SORT: 40, IS_PRIMARY: 'Y' }]);
  });

  it('SORT defaults to 10', async () => {
    const { client } = sandboxWithClient();
    await client.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } });
    expect(await client.crm.lead.contact.items.get({ id: 2 })).toEqual([{ CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }]);
  });

  it.each([
    ['an unknown lead', { id: 999, fields: { CONTACT_ID: 1020 } }],
    ['an unknown contact', { id: 2, fields: { CONTACT_ID: 9999 } }],
  ])('%s gets the documented 400 NOT_FOUND and changes nothing', async (_case, params) => {
    const { client, sandbox } = sandboxWithClient();
    await expect(client.crm.lead.contact.add(params)).rejects.toMatchObject(notFound);
    expect(sandbox.lead(2)?.contacts).toEqual([]);
  });

  it('reads a form body with bracket nesting, typing its values by the contract', async () => {
    const { send, sandbox } = sandboxWithClient();
    const answer = await send('crm.lead.contact.add', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=2&fields[CONTACT_ID]=1020&fields[SORT]=5&fields[IS_PRIMARY]=Y',
    });
    expect(answer).toMatchObject({ status: 200, body: { result: true } });
    expect(sandbox.calls.at(-1)?.params).toEqual({ id: 2, fields: { CONTACT_ID: 1020, SORT: 5, IS_PRIMARY: 'Y' } });
  });

  it.each([
    ['a contact id that is not a number', { id: 1, fields: { CONTACT_ID: 'abc' } }, /fields\.CONTACT_ID must be integer/],
    ['no fields', { id: 1 }, /fields is required/],
    ['IS_PRIMARY as a JSON boolean', { id: 1, fields: { CONTACT_ID: 1010, IS_PRIMARY: true } }, /fields\.IS_PRIMARY/],
  ])('%s gets a 400 naming the field and the rule', async (_case, params, rule) => {
    const { send } = sandboxWithClient();
    const answer = await send('crm.lead.contact.add', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('');
    expect(answer.body.error_description).toMatch(rule);
  });
});

describe('crm.lead.contact.delete', () => {
  it('an unknown lead gets 400 NOT_FOUND', async () => {
    const { client } = sandboxWithClient();
    await expect(client.crm.lead.contact.delete({ id: 999, fields: { CONTACT_ID: 1010 } })).rejects.toMatchObject(notFound);
  });

  it('deleting the last link leaves the lead without a primary', async () => {
    const { client, sandbox } = sandboxWithClient();
    await client.crm.lead.contact.items.set({ id: 1, items: [{ CONTACT_ID: 1010 }] });
    await expect(client.crm.lead.contact.delete({ id: 1, fields: { CONTACT_ID: 1010 } })).resolves.toBe(true);
    expect(sandbox.lead(1)?.contacts).toEqual([]);
  });
});

describe('crm.lead.contact.items.set', () => {
  it('refuses the whole list when one contact is unknown, keeping the old links', async () => {
    const { client, sandbox } = sandboxWithClient();
    const before = sandbox.lead(1)?.contacts;
    await expect(client.crm.lead.contact.items.set({ id: 1, items: [{ CONTACT_ID: 1020 }, { CONTACT_ID: 9999 }] })).rejects.toMatchObject(notFound);
    expect(sandbox.lead(1)?.contacts).toEqual(before);
  });

  it('an empty list breaks the contract (minItems) and gets a 400 naming items', async () => {
    const { send } = sandboxWithClient();
    const answer = await send('crm.lead.contact.items.set', { headers: { 'content-type': 'application/json' }, body: '{"id":1,"items":[]}' });
    expect(answer).toMatchObject({ status: 400, body: { error: '' } });
    expect(answer.body.error_description).toMatch(/items/);
  });
});

describe('crm.lead.contact.items.get and items.delete', () => {
  it('the default seed holds the documented example lead 1 with contacts 1010 (primary) and 1011', async () => {
    const { client } = sandboxWithClient();
    expect(await client.crm.lead.contact.items.get({ id: 1 })).toEqual([
      { CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      { CONTACT_ID: 1011, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
    ]);
  });

  it.each(['items.get', 'items.delete'] as const)('%s of an unknown lead gets 400 NOT_FOUND', async (name) => {
    const { client } = sandboxWithClient();
    await expect(client.crm.lead.contact.items[name === 'items.get' ? 'get' : 'delete']({ id: 999 })).rejects.toMatchObject(notFound);
  });
});

describe('crm.lead.contact.fields', () => {
  it('describes the three link fields as the documentation does', async () => {
    const { client } = sandboxWithClient();
    const fields = await client.crm.lead.contact.fields();
    expect(Object.keys(fields)).toEqual(['SORT', 'IS_PRIMARY', 'CONTACT_ID']);
    expect(fields.CONTACT_ID).toMatchObject({ type: 'integer', isRequired: true });
  });
});

describe('the sandbox answers stay inside the contract', () => {
  it('an undocumented status of a contract method is reported as drift', () => {
    expect(checkAnswer('https://x/rest/1/c/crm.lead.contact.add', 418, { error: 'TEAPOT', error_description: '' })).toMatch(/418 is not a documented answer/);
    expect(checkAnswer('https://x/rest/1/c/crm.lead.contact.add', 200, { result: 'yes' })).toMatch(/result/);
  });

  it('errors reach the client as Bitrix24Error without the webhook code', async () => {
    const { client } = sandboxWithClient();
    const error = await client.crm.lead.contact.add({ id: 999, fields: { CONTACT_ID: 1 } }).catch((e: unknown) => e);
    expect(isBitrix24Error(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('sandboxcode123');
  });
});
