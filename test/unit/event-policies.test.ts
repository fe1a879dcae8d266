// The event policies as pure functions: which handler addresses a portal accepts, where the Node
// deliverer may connect, how logs show a handler, and the offline queue's row rules.
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, mayConnect } from '../../src/node/event-deliver.js';
import { handlerUrlProblem, maskUrl } from '../../src/sandbox/handler-url.js';
import { DeliveryQueue, encodeForm } from '../../src/sandbox/event-delivery.js';
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

describe('encodeForm (the body a portal posts)', () => {
  it.each([
    ['flat values as text', { event: 'ONCRMLEADADD', ts: 17 }, 'event=ONCRMLEADADD&ts=17'],
    ['nested groups in PHP brackets', { data: { FIELDS: { ID: 5 } } }, 'data%5BFIELDS%5D%5BID%5D=5'],
    ['undefined and null left out, in place', { a: undefined, b: { c: null, d: 'x' }, e: 1 }, 'b%5Bd%5D=x&e=1'],
    ['names and values escaped part by part', { 'a b': { 'c[d]': 'é&=' } }, 'a%20b%5Bc%5Bd%5D%5D=%C3%A9%26%3D'],
    ['arrays by index', { scope: ['crm', 'user'] }, 'scope%5B0%5D=crm&scope%5B1%5D=user'],
    ['nothing to send', {}, ''],
  ])('%s', (_case, fields, body) => {
    expect(encodeForm(fields)).toBe(body);
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

  it("sends nothing during the caller's turn, and all of that turn's jobs together right after it", async () => {
    const sent: string[] = [];
    const queue = new DeliveryQueue(
      limits,
      () => 0,
      (request) => {
        sent.push(request.body);
        return Promise.resolve({ outcome: 'delivered', status: 200 });
      },
    );
    queue.enqueue({ url: 'http://127.0.0.1:1/a', body: 'one', event: 'ONCRMLEADADD' });
    queue.enqueue({ url: 'http://127.0.0.1:1/a', body: 'two', event: 'ONCRMLEADADD' });
    expect(sent).toEqual([]);
    // Queued after the queue's own turn-end task, so it runs once that task has sent.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['one', 'two']);
    await queue.idle();
    expect(queue.log.map((attempt) => attempt.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('builds a later job after the turn, stamped with the clock of when it was queued', async () => {
    let clock = 1000;
    const built: number[] = [];
    const queue = new DeliveryQueue(
      limits,
      () => clock,
      () => Promise.resolve({ outcome: 'delivered' as const, status: 200 }),
    );
    queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADUPDATE', recordId: '7' }, () => {
      built.push(clock);
      return 'event=ONCRMLEADUPDATE';
    });
    clock = 2000;
    expect(built).toEqual([]);
    expect(queue.pending).toBe(1);
    await queue.idle();
    expect(built).toEqual([2000]);
    expect(queue.log).toMatchObject([{ event: 'ONCRMLEADUPDATE', id: '7', outcome: 'delivered', queuedAt: 1000 }]);
  });

  it('counts jobs not built yet against maxDeliveryQueue', () => {
    const queue = new DeliveryQueue(
      { ...limits, maxDeliveryQueue: 2 },
      () => 0,
      () => new Promise(() => {}),
    );
    for (let i = 0; i < 3; i++) queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'x');
    expect(queue.log).toMatchObject([{ outcome: 'dropped', reason: expect.stringContaining('limits.maxDeliveryQueue 2') }]);
    expect(queue.pending).toBe(2);
  });

  it('logs a job whose body cannot be built as not sent, and sends the others', async () => {
    const queue = new DeliveryQueue(
      limits,
      () => 0,
      () => Promise.resolve({ outcome: 'delivered' as const, status: 200 }),
    );
    queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => {
      throw new Error('no token');
    });
    queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'x');
    await queue.idle();
    expect(queue.log.map((attempt) => [attempt.outcome, attempt.reason])).toEqual([
      ['not-sent', 'The body could not be built: no token'],
      ['delivered', undefined],
    ]);
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
