// The event.* methods against the mock: one table for the six, since they share their errors and
// their request rules (Prism answers from the contract; the sandbox tests cover the behaviour).
import { describe, expect, it } from 'vitest';
import { itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, type MockCall } from '../support/helpers.js';

const METHODS: Array<[string, MockCall, unknown]> = [
  ['event.bind', (c) => c.event.bind({ event: 'ONCRMLEADADD', handler: 'https://app.example.com/bitrix24/events' }), true],
  ['event.unbind', (c) => c.event.unbind({ event: 'ONCRMLEADADD', handler: 'https://app.example.com/bitrix24/events' }), { count: 1 }],
  ['event.get', (c) => c.event.get({}), expect.arrayContaining([expect.objectContaining({ event: 'ONCRMLEADADD' })])],
  ['event.offline.get', (c) => c.event.offline.get({ clear: 0 }), expect.objectContaining({ events: expect.any(Array) })],
  ['event.offline.clear', (c) => c.event.offline.clear({ process_id: 'abc' }), true],
  ['event.offline.list', (c) => c.event.offline.list({}), expect.any(Array)],
];

describe.each(METHODS)('%s', (method, call, result) => {
  it('answers its documented result through the OAuth URL', async () => {
    await expect(call(mockClient({ oauth: true }))).resolves.toEqual(result);
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(method, call);
  });
});

describe('invalid requests get a 400 naming the problem', () => {
  itRejectsInvalidRequests('event.bind', [
    ['missing event', '{"handler":"https://app.example.com/x"}', /must have required property 'event'/],
    ['event_type not online or offline', '{"event":"ONCRMLEADADD","event_type":"sometimes"}', /event_type must be equal to one of the allowed values/],
  ]);
  itRejectsInvalidRequests('event.offline.clear', [['missing process_id', '{}', /must have required property 'process_id'/]]);
  itRejectsInvalidRequests('event.offline.get', [['limit below 1', '{"limit":0}', /limit must be >= 1/]]);
});
