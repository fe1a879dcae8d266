// Issue 16, 9a: a field named `__proto__` (or `constructor`) is stored and read back like any other
// field; the read methods once assigned it as the view's prototype and so dropped it. Issue 22 #10:
// the update path once did the same to the stored record.
import { describe, expect, it } from 'vitest';
import { sandboxWithClient } from '../support/checked-sandbox.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const json = { 'content-type': 'application/json' };

describe('crm.lead.get and crm.contact.get with prototype-named fields', () => {
  it('return fields[__proto__][x]=1 sent as a form, as an own field', async () => {
    const { send } = sandboxWithClient();
    const added = await send('crm.lead.add', { headers: form, body: 'fields[TITLE]=Proto&fields[__proto__][x]=1&fields[constructor][y]=2' });
    const lead = await send('crm.lead.get', { headers: json, body: JSON.stringify({ id: added.body.result }) });
    expect(lead.status).toBe(200);
    expect(Object.hasOwn(lead.body.result, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(lead.body.result, '__proto__')?.value).toEqual({ x: '1' });
    expect(lead.body.result.constructor).toEqual({ y: '2' });
    expect(lead.body.result.TITLE).toBe('Proto');
  });

  it('return a JSON "__proto__" field of a contact as an own field, and the in-process view shows it too', async () => {
    const { send, sandbox } = sandboxWithClient();
    const added = await send('crm.contact.add', { headers: json, body: '{"fields":{"NAME":"Ann","__proto__":{"x":1}}}' });
    const contact = await send('crm.contact.get', { headers: json, body: JSON.stringify({ id: added.body.result }) });
    expect(Object.hasOwn(contact.body.result, '__proto__')).toBe(true);
    expect(JSON.stringify(contact.body)).toContain('"__proto__":{"x":1}');
    expect(Object.hasOwn(sandbox.contact(added.body.result)!.fields, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('crm.lead.update and crm.contact.update with prototype-named fields', () => {
  it.each([
    ['JSON', json, '{"id":2,"fields":{"__proto__":{"PHONE":[{"VALUE":"+1 555 000 1111"}],"UF_CRM_GHOST":"boo"}}}'],
    ['form', form, 'id=2&fields[__proto__][UF_CRM_GHOST]=boo&fields[__proto__][PHONE][0][VALUE]=%2B1 555 000 1111'],
  ])(
    'regression (issue 22 #10): a %s "__proto__" field is stored as data: no filter, HAS_PHONE or findbycomm sees through it',
    async (_body, headers, body) => {
      const { send, sandbox } = sandboxWithClient();
      expect((await send('crm.lead.update', { headers, body })).body.result).toBe(true);
      expect(Object.hasOwn(sandbox.lead(2)!.fields, '__proto__')).toBe(true);
      const list = async (filter: Record<string, unknown>) =>
        (await send('crm.lead.list', { headers: json, body: JSON.stringify({ filter: { ID: 2, ...filter }, select: ['ID'] }) })).body.result;
      expect(await list({ UF_CRM_GHOST: 'boo' })).toEqual([]);
      expect(await list({ HAS_PHONE: 'Y' })).toEqual([]);
      const found = await send('crm.duplicate.findbycomm', { headers: json, body: '{"type":"PHONE","values":["15550001111"]}' });
      expect(found.body.result).toEqual([]);
    },
  );

  it('regression (issue 22 #10): a contact update with "constructor" and "__proto__" keeps both as fields and the record an ordinary object', async () => {
    const { send, sandbox } = sandboxWithClient();
    await send('crm.contact.update', { headers: json, body: '{"id":1010,"fields":{"__proto__":{"x":1},"constructor":{"y":2}}}' });
    const fields = sandbox.contact(1010)!.fields;
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect([fields.constructor, Object.getOwnPropertyDescriptor(fields, '__proto__')?.value]).toEqual([{ y: 2 }, { x: 1 }]);
  });
});
