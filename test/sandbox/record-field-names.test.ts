// Issue 16, 9a: a field named `__proto__` (or `constructor`) is stored and read back like any other
// field; the read methods once assigned it as the view's prototype and so dropped it.
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
