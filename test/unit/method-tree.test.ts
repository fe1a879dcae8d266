// The runtime method tree: built from the path read, so the bundle ships no list of methods. What a
// key means is the whole policy: a path segment, or one of the few keys that must never be a method.
import { describe, expect, it } from 'vitest';
import { methodTree } from '../../src/client/method-tree.js';

/** A tree whose leaves report the method they stand for. */
const tree = () => methodTree<any>((method) => () => method, { call: 'own member' });

describe('methodTree', () => {
  it.each([
    ['crm.lead.contact.add', (t: any) => t.crm.lead.contact.add()],
    ['crm.item.list', (t: any) => t.crm.item.list()],
    ['batch', (t: any) => t.batch()],
  ])('a path is the method %s', (method, call) => {
    expect(call(tree())).toBe(method);
  });

  it('gives the same node for the same path, so a method can be kept and compared', () => {
    const t = tree();
    expect(t.crm.lead.get).toBe(t.crm.lead.get);
    expect(t.crm.lead).not.toBe(t.crm.contact);
  });

  it.each([
    ['then, so awaiting a client does not call a method', (t: any) => t.then],
    ['toJSON, so JSON.stringify does not call a method', (t: any) => t.toJSON],
    ['symbols (iterators, inspection hooks)', (t: any) => t[Symbol.iterator]],
  ])('%s is no method', (_what, read) => {
    expect(read(tree())).toBeUndefined();
  });

  it("keeps the tree's own members and a node's function members", () => {
    const t = tree();
    expect(t.call).toBe('own member');
    expect(typeof t.crm.lead.get.bind).toBe('function');
    expect(JSON.stringify({ client: t })).toBe('{"client":{"call":"own member"}}');
  });

  it('can be awaited: a client resolves to itself', async () => {
    const t = tree();
    expect(await Promise.resolve(t)).toBe(t);
  });
});
