// The client's methods and `cmd` are built on first use from the path they are reached by, so an app
// ships no method names and a method added to the contract adds no bytes to it.
import { describe, expect, it } from 'vitest';
import { methodNames } from '../../generated/methods.js';
import { methodTree } from '../../src/client/method-tree.js';
import { cmd, createBitrix24Client } from '../../src/index.js';
import { bundleApp } from '../support/bundle.js';

const webhookUrl = 'https://example.bitrix24.com/rest/1/code/';

describe('the method tree', () => {
  it.each(methodNames.filter((method) => method !== 'batch'))('%s calls the method of its path', async (method) => {
    const sent: string[] = [];
    const client = createBitrix24Client({
      webhookUrl,
      rateLimit: false,
      fetch: async (url) => {
        sent.push(String(url));
        return new Response('{"result":true,"time":{}}', { headers: { 'content-type': 'application/json' } });
      },
    });
    const node = method.split('.').reduce((at: any, key) => at[key], client);
    await node({});
    expect(sent).toEqual([`${webhookUrl}${method}`]);
    expect(method.split('.').reduce((at: any, key) => at[key], cmd)({ id: 1 })).toEqual({ method, params: { id: 1 } });
  });

  it('keeps each node: the same path is the same function', () => {
    const client = createBitrix24Client({ webhookUrl });
    expect(client.crm.lead.contact.add).toBe(client.crm.lead.contact.add);
    expect(cmd.crm.lead.get).toBe(cmd.crm.lead.get);
  });

  it('does not look like a promise or serialize as calls: `then` and `toJSON` are not paths', async () => {
    const client = createBitrix24Client({ webhookUrl, fetch: () => Promise.reject(new Error('no request expected')) });
    expect((client as any).then).toBeUndefined();
    expect(await Promise.resolve(client)).toBe(client);
    expect(JSON.stringify(client.crm)).toBeUndefined(); // a function: nothing to serialize, nothing sent
    expect(typeof client.call).toBe('function');
  });
});

describe('methodTree', () => {
  /** A tree whose leaves report the method they stand for. */
  const tree = () => methodTree<any>((method) => () => method, { call: 'own member' });

  it('never takes a symbol (iterators, inspection hooks) for a method', () => {
    expect(tree()[Symbol.iterator]).toBeUndefined();
  });

  it("keeps the tree's own members; printing or serializing a tree names no method", () => {
    const t = tree();
    expect(t.call).toBe('own member');
    expect(JSON.stringify({ client: t })).toBe('{"client":{"call":"own member"}}');
    expect(String(t.crm.lead)).toBe('function () { [native code] }');
    expect(`${t.crm.lead}`).toBe('function () { [native code] }');
  });

  it.each(['event.bind', 'placement.bind', 'event.unbind', 'crm.item.call', 'crm.item.apply'])(
    'reads %s as a method, not as a member every function inherits',
    (method) => {
      expect(method.split('.').reduce((at: any, key) => at[key], tree())()).toBe(method);
    },
  );
});

describe('the one-call browser app', () => {
  it('ships no method name beyond the one it calls, so methods added to the contract do not grow it', async () => {
    const app = await bundleApp(
      `import { createBitrix24Client } from 'b24-lead-contact';
       createBitrix24Client({ webhookUrl: location.origin + '/rest/1/code/' }).crm.lead.contact.add({ id: 1, fields: { CONTACT_ID: 1010 } }).then(console.log);`,
    );
    // List methods are named once (their answer keeps `total` and `next`); every other name is absent.
    const { listMethodNames } = await import('../../generated/methods.js');
    const shipped = methodNames.filter((method) => app.includes(`"${method}"`) && !(listMethodNames as readonly string[]).includes(method));
    expect(shipped).toEqual([]);
  });
});
