// The event policies as pure functions: which handler addresses a portal accepts, where the Node
// deliverer may connect, how logs show a handler, and the offline queue's row rules.
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, mayConnect } from '../../src/node/event-deliver.js';
import { handlerUrlProblem, maskUrl } from '../../src/sandbox/handler-url.js';
import { DeliveryQueue } from '../../src/sandbox/event-delivery.js';
import { messageId, OfflineQueue } from '../../src/sandbox/offline-queue.js';

describe('handlerUrlProblem (the portal rule for event.bind)', () => {
  it.each([
    ['http://127.0.0.1:3000/events', undefined],
    ['https://app.example.com/b24?key=1', undefined],
    ['http://[::1]:3000/', undefined],
    ['http://localhost:3000/events', /must contain a dot/],
    ['ftp://127.0.0.1/x', /http or https/],
    ['/events', /absolute URL/],
    ['http://user:pw@127.0.0.1/x', /user name or password/],
  ])('%s → %s', (url, problem) => {
    const found = handlerUrlProblem(url);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('mayConnect (where the Node deliverer may post)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', [], true],
    ['app.test', '127.0.0.5', [], true],
    ['app.test', '::1', [], true],
    ['app.test', '::ffff:127.0.0.1', [], true],
    ['app.test', '10.0.0.7', [], false],
    ['app.test', '169.254.169.254', [], false],
    ['rebind.example', '93.184.216.34', [], false],
    ['app.internal', '10.0.0.7', ['app.internal'], true],
    ['APP.internal', '10.0.0.7', ['app.internal'], true],
    ['other.internal', '10.0.0.7', ['app.internal'], false],
  ] as const)('host %s at %s (allowed %j) → %s', (host, address, allowed, expected) => {
    expect(mayConnect(host, address, allowed)).toBe(expected);
  });

  it.each([
    ['localhost', false],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['128.0.0.1', false],
  ])('isLoopbackAddress(%s) is %s: a name is never an address', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('maskUrl (a handler in logs)', () => {
  it.each([
    ['http://127.0.0.1:3000/secret/path?token=abc', 'http://127.0.0.1:3000/…'],
    ['https://app.example.com/', 'https://app.example.com/…'],
    ['not a url', '…'],
  ])('%s → %s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
  });
});

describe('OfflineQueue', () => {
  const clock = () => 1_700_000_000_000;

  it('keeps one row per app, connector, event and record, and drops the oldest past its cap', () => {
    const queue = new OfflineQueue(2, clock);
    queue.push('app', '', 'ONCRMLEADUPDATE', { FIELDS: { ID: 5 } }, 1);
    queue.push('app', '', 'ONCRMLEADUPDATE', { FIELDS: { ID: 5 } }, 1);
    expect(queue.size).toBe(1);
    queue.push('app', '', 'ONCRMLEADUPDATE', { FIELDS: { ID: 6 } }, 1);
    queue.push('app', '', 'ONCRMLEADUPDATE', { FIELDS: { ID: 7 } }, 1);
    expect(queue.list('app', 0, 50).rows.map((row) => (row.EVENT_DATA as { FIELDS: { ID: number } }).FIELDS.ID)).toEqual([6, 7]);
  });

  it('gives parallel readers disjoint reservations, and returns a reservation again by its id', () => {
    const queue = new OfflineQueue(10, clock);
    for (const id of [1, 2, 3]) queue.push('app', '', 'ONCRMLEADADD', { FIELDS: { ID: id } }, 1);
    const first = queue.get('app', '', { limit: 2, clear: false, error: false });
    const second = queue.get('app', '', { limit: 2, clear: false, error: false });
    expect(first.events).toHaveLength(2);
    expect(second.events).toHaveLength(1);
    expect(queue.get('app', '', { limit: 5, clear: false, processId: first.process_id!, error: false }).events).toEqual(first.events);
    queue.clear('app', first.process_id!);
    expect(queue.size).toBe(1);
  });

  it('derives a stable 32-hex message id from the event and its data', () => {
    expect(messageId('ONCRMLEADADD', { FIELDS: { ID: 5 } })).toMatch(/^[0-9a-f]{32}$/);
    expect(messageId('ONCRMLEADADD', { FIELDS: { ID: 5 } })).toBe(messageId('ONCRMLEADADD', { FIELDS: { ID: 5 } }));
    expect(messageId('ONCRMLEADADD', { FIELDS: { ID: 5 } })).not.toBe(messageId('ONCRMLEADADD', { FIELDS: { ID: 6 } }));
  });
});

describe('DeliveryQueue', () => {
  const limits = { maxDeliveryQueue: 100, maxDeliveriesInFlight: 16, maxDeliveryBytes: 1024, deliveryTimeoutMs: 1000, maxDeliveryLog: 100 };

  it('lets a handler that never answers hold a quarter of the slots at most, so the others are still served', async () => {
    let hungCalls = 0;
    let quickCalls = 0;
    let allQuick: () => void;
    const quickDone = new Promise<void>((resolve) => {
      allQuick = resolve;
    });
    const queue = new DeliveryQueue(
      limits,
      () => 0,
      (request) => {
        if (request.url.includes('hung')) {
          hungCalls++;
          return new Promise(() => {});
        }
        if (++quickCalls === 20) allQuick();
        return Promise.resolve({ outcome: 'delivered', status: 200 });
      },
    );
    for (let i = 0; i < 20; i++) {
      queue.enqueue({ url: 'http://127.0.0.1:1/hung', body: 'x', event: 'ONCRMLEADADD' });
      queue.enqueue({ url: 'http://127.0.0.1:2/quick', body: 'x', event: 'ONCRMLEADADD' });
    }
    await quickDone;
    expect(hungCalls).toBe(4);
  });

  it.each([
    ['a body over maxDeliveryBytes', { body: 'x'.repeat(2000) }, 'too-large'],
    ['no deliver function', { deliver: undefined }, 'not-sent'],
  ])('logs %s at once, without sending', (_case, change, outcome) => {
    const send = () => Promise.resolve({ outcome: 'delivered' as const });
    const queue = new DeliveryQueue(limits, () => 0, 'deliver' in change ? change.deliver : send);
    queue.enqueue({ url: 'http://127.0.0.1:1/secret', body: 'body' in change ? change.body! : 'x', event: 'ONCRMLEADADD' });
    expect(queue.log).toMatchObject([{ outcome, handler: 'http://127.0.0.1:1/…' }]);
  });
});
