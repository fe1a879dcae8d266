// The event policies as pure functions: which handler addresses a portal accepts, where the Node
// deliverer may connect, how logs show a handler, and the offline queue's row rules.
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, mayConnect } from '../../src/node/event-deliver.js';
import { handlerUrlProblem, maskUrl } from '../../src/sandbox/handler-url.js';
import { BURST_CALLS, BURST_WINDOW_MS, deliveryGate, QUIET_MS, RestActivity } from '../../src/sandbox/delivery-gate.js';
import { type DeliverFunction, DeliveryQueue, encodeForm } from '../../src/sandbox/event-delivery.js';
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

describe('deliveryGate (when held deliveries may go)', () => {
  const quiet = { send: 'while quiet' };
  const never = Number.POSITIVE_INFINITY;
  it.each([
    ['no REST call answered yet', { sinceRestMs: never, sinceBurstMs: never, heldMs: 0, maxDelayMs: 1000 }, quiet],
    ['no call for QUIET_MS, no burst', { sinceRestMs: QUIET_MS, sinceBurstMs: never, heldMs: 0, maxDelayMs: 1000 }, quiet],
    ['a call just now: ask again once quiet', { sinceRestMs: 0, sinceBurstMs: never, heldMs: 0, maxDelayMs: 1000 }, { send: 'none', askAgainMs: QUIET_MS }],
    ['a call 0.5 ms ago', { sinceRestMs: 0.5, sinceBurstMs: never, heldMs: 10, maxDelayMs: 1000 }, { send: 'none', askAgainMs: QUIET_MS - 0.5 }],
    [
      'a gap in a burst of calls (a caller collecting garbage) is not quiet',
      { sinceRestMs: 8, sinceBurstMs: 20, heldMs: 30, maxDelayMs: 1000 },
      { send: 'none', askAgainMs: BURST_WINDOW_MS - 20 },
    ],
    ['the burst out of the window', { sinceRestMs: 8, sinceBurstMs: BURST_WINDOW_MS, heldMs: 30, maxDelayMs: 1000 }, quiet],
    ['busy, the longest delay nearer than quiet', { sinceRestMs: 0, sinceBurstMs: 1, heldMs: 999, maxDelayMs: 1000 }, { send: 'none', askAgainMs: 1 }],
    ['busy, but held for maxDelayMs: all go', { sinceRestMs: 0, sinceBurstMs: 1, heldMs: 1000, maxDelayMs: 1000 }, { send: 'all' }],
    ['quiet and overdue: all go', { sinceRestMs: 50, sinceBurstMs: never, heldMs: 1000, maxDelayMs: 1000 }, { send: 'all' }],
    ['maxDelayMs 0 holds nothing', { sinceRestMs: 0, sinceBurstMs: 0, heldMs: 0, maxDelayMs: 0 }, { send: 'all' }],
    ['the clock went back: read as long ago', { sinceRestMs: -5, sinceBurstMs: -5, heldMs: 0, maxDelayMs: 1000 }, quiet],
  ])('%s', (_case, state, decision) => {
    expect(deliveryGate(state)).toEqual(decision);
  });
});

describe('RestActivity', () => {
  it(`keeps the last and the ${BURST_CALLS}th last answer's time`, () => {
    let clock = 0;
    const rest = new RestActivity(() => clock);
    expect([rest.sinceRestMs, rest.sinceBurstMs]).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    for (; clock < BURST_CALLS; clock++) rest.answered(); // at 0, 1, … BURST_CALLS - 1
    clock = 20;
    expect([rest.sinceRestMs, rest.sinceBurstMs]).toEqual([20 - (BURST_CALLS - 1), 20]);
    rest.answered();
    expect([rest.sinceRestMs, rest.sinceBurstMs]).toEqual([0, 19]);
  });
});

describe('DeliveryQueue', () => {
  const limits = {
    maxDeliveryQueue: 100,
    maxDeliveriesInFlight: 16,
    maxDeliveryBytes: 1024,
    deliveryTimeoutMs: 1000,
    maxDeliveryLog: 100,
    maxDeliveryDelayMs: 1000,
  };
  /** A queue in a process that has answered no REST call: nothing is held. */
  const queueOf = (deliver: DeliverFunction | undefined, now: () => number = () => 0, queueLimits = limits) =>
    new DeliveryQueue(queueLimits, now, deliver, undefined, new RestActivity(() => 0));
  const delivered = () => Promise.resolve({ outcome: 'delivered' as const, status: 200 });
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('lets a handler that never answers hold a quarter of the slots at most, so the others are still served', async () => {
    let hungCalls = 0;
    let quickCalls = 0;
    let allQuick: () => void;
    const quickDone = new Promise<void>((resolve) => {
      allQuick = resolve;
    });
    const queue = queueOf((request) => {
      if (request.url.includes('hung')) {
        hungCalls++;
        return new Promise(() => {});
      }
      if (++quickCalls === 20) allQuick();
      return delivered();
    });
    for (let i = 0; i < 20; i++) {
      queue.enqueue({ url: 'http://127.0.0.1:1/hung', body: 'x', event: 'ONCRMLEADADD' });
      queue.enqueue({ url: 'http://127.0.0.1:2/quick', body: 'x', event: 'ONCRMLEADADD' });
    }
    await quickDone;
    expect(hungCalls).toBe(4);
  });

  it("sends nothing during the caller's turn, and all of that turn's jobs together right after it", async () => {
    const sent: string[] = [];
    const queue = queueOf((request) => {
      sent.push(request.body);
      return delivered();
    });
    queue.enqueue({ url: 'http://127.0.0.1:1/a', body: 'one', event: 'ONCRMLEADADD' });
    queue.enqueue({ url: 'http://127.0.0.1:1/a', body: 'two', event: 'ONCRMLEADADD' });
    expect(sent).toEqual([]);
    // Queued after the queue's own turn-end task, so it runs once that task has sent.
    await nextTurn();
    expect(sent).toEqual(['one', 'two']);
    await queue.idle();
    expect(queue.log.map((attempt) => attempt.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('builds a later job after the turn, stamped with the clock of when it was queued', async () => {
    let clock = 1000;
    const built: number[] = [];
    const queue = queueOf(delivered, () => clock);
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
    const queue = queueOf(
      () => new Promise(() => {}),
      () => 0,
      { ...limits, maxDeliveryQueue: 2 },
    );
    for (let i = 0; i < 3; i++) queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'x');
    expect(queue.log).toMatchObject([{ outcome: 'dropped', reason: expect.stringContaining('limits.maxDeliveryQueue 2') }]);
    expect(queue.pending).toBe(2);
  });

  it('logs a job whose body cannot be built as not sent, and sends the others', async () => {
    const queue = queueOf(delivered);
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
    const queue = queueOf('deliver' in change ? change.deliver : send);
    queue.enqueue({ url: 'http://127.0.0.1:1/secret', body: 'body' in change ? change.body! : 'x', event: 'ONCRMLEADADD' });
    expect(queue.log).toMatchObject([{ outcome, handler: 'http://127.0.0.1:1/…' }]);
  });

  describe('while the process keeps answering REST calls', () => {
    /** A queue whose process answered a REST call at `clock.rest`, read at `clock.now`. */
    const busyQueue = (clock: { now: number }, queueLimits = limits) => {
      const rest = new RestActivity(() => clock.now);
      rest.answered();
      let sent: (body: string) => void = () => {};
      const firstSent = new Promise<string>((resolve) => {
        sent = resolve;
      });
      const queue = new DeliveryQueue(
        queueLimits,
        () => 0,
        (request) => {
          sent(request.body);
          return delivered();
        },
        undefined,
        rest,
      );
      return { queue, rest, firstSent };
    };

    it('holds a delivery unbuilt, and builds and sends it once the process has answered none for QUIET_MS', async () => {
      const clock = { now: 0 };
      const { queue, firstSent } = busyQueue(clock);
      let built = 0;
      queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => {
        built++;
        return 'held';
      });
      await nextTurn();
      expect([built, queue.log]).toEqual([0, []]); // not even built while held
      clock.now = QUIET_MS;
      expect(await firstSent).toBe('held');
    });

    it('starts held deliveries one slot at a time while quiet, and stops starting them when calls resume', async () => {
      const clock = { now: 0 };
      const rest = new RestActivity(() => clock.now);
      rest.answered();
      const sent: string[] = [];
      const answers: Array<() => void> = [];
      let nextSent: () => void = () => {};
      const queue = new DeliveryQueue(
        { ...limits, maxDeliveriesInFlight: 4 }, // one slot per handler
        () => 0,
        (request) => {
          sent.push(request.body);
          nextSent();
          return new Promise((resolve) => answers.push(() => resolve({ outcome: 'delivered', status: 200 })));
        },
        undefined,
        rest,
      );
      const sentOnce = () =>
        new Promise<void>((resolve) => {
          nextSent = resolve;
        });
      for (const body of ['one', 'two', 'three']) queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => body);
      await nextTurn();
      expect(sent).toEqual([]);
      const first = sentOnce();
      clock.now = QUIET_MS;
      await first;
      // A call is answered while the first post is out: its answer frees the slot, and nothing starts.
      rest.answered();
      answers.shift()!();
      await nextTurn();
      expect(sent).toEqual(['one']);
      const second = sentOnce();
      clock.now += QUIET_MS;
      await second;
      expect(sent).toEqual(['one', 'two']);
    });

    it('sends a held delivery after maxDeliveryDelayMs even if the calls go on', async () => {
      const clock = { now: 0 };
      const { queue, rest, firstSent } = busyQueue(clock, { ...limits, maxDeliveryDelayMs: 50 });
      queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'late');
      await nextTurn();
      clock.now = 50;
      rest.answered();
      expect(await firstSent).toBe('late');
    });

    it('holds nothing while someone waits for idle()', async () => {
      const { queue } = busyQueue({ now: 0 });
      queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'x');
      await queue.idle();
      expect(queue.log).toMatchObject([{ outcome: 'delivered' }]);
    });

    it('holds nothing with maxDeliveryDelayMs 0', async () => {
      const { queue, firstSent } = busyQueue({ now: 0 }, { ...limits, maxDeliveryDelayMs: 0 });
      queue.enqueueLater({ url: 'http://127.0.0.1:1/a', event: 'ONCRMLEADADD' }, () => 'now');
      await nextTurn();
      expect(await Promise.race([firstSent, 'not yet'])).toBe('now');
    });
  });
});
