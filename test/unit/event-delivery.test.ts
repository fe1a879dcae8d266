// Reading and checking what Bitrix24 posts to an app: the typed union, the typed refusals, the
// constant-time check, and the Fetch handler's answers.
import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  createEventHandler,
  type Bitrix24Event,
  MalformedDeliveryError,
  parseDelivery,
  UnknownEventError,
  UnverifiedDeliveryError,
  verifyDelivery,
} from '../../src/events.js';

const TOKEN = '51856fefc120afa4b628cc82d3935cce';
const MEMBER = 'a223c6b3710f85df22e9377d6c4f7553';
// The body a real portal sent (the vendor PHP SDK's captured test body), tokens replaced.
const CAPTURED =
  'event=ONCRMCONTACTADD&event_handler_id=58&data%5BFIELDS%5D%5BID%5D=134806&ts=1727018926&auth%5Baccess_token%5D=s6p6eclrvim6da22ft9ch94ekreb52lv&auth%5Bexpires%5D=1727022526&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm%2Cplacement%2Cuser_brief&auth%5Bdomain%5D=example.bitrix24.com&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L&auth%5Bclient_endpoint%5D=https%3A%2F%2Fexample.bitrix24.com%2Frest%2F' +
  `&auth%5Bmember_id%5D=${MEMBER}&auth%5Buser_id%5D=1&auth%5Bapplication_token%5D=${TOKEN}`;
const lookup = (memberId: string) => (memberId === MEMBER ? TOKEN : undefined);
const form = (body: string) =>
  new Request('http://app.test/events', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

describe('parseDelivery', () => {
  it('reads a captured portal body into the typed event: the record id as a number, every auth field', () => {
    expect(parseDelivery(CAPTURED)).toEqual({
      event: 'ONCRMCONTACTADD',
      eventHandlerId: '58',
      ts: 1727018926,
      id: 134806,
      auth: expect.objectContaining({ member_id: MEMBER, application_token: TOKEN, scope: 'crm,placement,user_brief', user_id: '1' }),
    });
  });

  it('reads the event name in any case', () => {
    expect(parseDelivery(CAPTURED.replace('ONCRMCONTACTADD', 'onCrmContactAdd')).event).toBe('ONCRMCONTACTADD');
  });

  it.each([
    ['no event', CAPTURED.replace('event=ONCRMCONTACTADD&', ''), /event is required/],
    ['no record id', CAPTURED.replace('data%5BFIELDS%5D%5BID%5D=134806&', ''), /data\[FIELDS\]\[ID\]/],
    ['a record id that is not a number', CAPTURED.replace('=134806', '=abc'), /positive integer/],
    ['no application_token', CAPTURED.replace(`&auth%5Bapplication_token%5D=${TOKEN}`, ''), /auth\[application_token\]/],
    ['a prototype key', `${CAPTURED}&__proto__%5Bx%5D=1`, /not allowed/],
    ['a key both value and group', `${CAPTURED}&auth=1`, /both a value and a group|auth/],
  ])('refuses %s with MalformedDeliveryError naming the field', (_case, body, message) => {
    expect(() => parseDelivery(body)).toThrow(MalformedDeliveryError);
    expect(() => parseDelivery(body)).toThrow(message);
  });

  it('refuses an event it does not type with UnknownEventError', () => {
    expect(() => parseDelivery(CAPTURED.replace('ONCRMCONTACTADD', 'ONCRMDEALADD'))).toThrow(UnknownEventError);
  });
});

describe('verifyDelivery', () => {
  const event = parseDelivery(CAPTURED);
  it('accepts the stored token and refuses another or an unknown portal, never echoing a token', async () => {
    await expect(verifyDelivery(event, lookup)).resolves.toBe(event);
    const forged = { ...event, auth: { ...event.auth, application_token: 'f'.repeat(32) } };
    await expect(verifyDelivery(forged, lookup)).rejects.toThrow(UnverifiedDeliveryError);
    await expect(verifyDelivery(event, () => undefined)).rejects.toThrow(/install the app first/);
    await expect(verifyDelivery(forged, lookup)).rejects.not.toThrow(/f{32}/);
  });

  it('lets the first ONAPPINSTALL of a portal through, but not one that would replace a stored token', async () => {
    const install: Bitrix24Event = { event: 'ONAPPINSTALL', ts: 1, data: {}, auth: { ...event.auth, application_token: 'new' } };
    await expect(verifyDelivery(install, () => undefined)).resolves.toBe(install);
    await expect(verifyDelivery(install, lookup)).rejects.toThrow(UnverifiedDeliveryError);
  });

  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['é', 'e', false],
  ])('constantTimeEqual(%j, %j) is %s', (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});

describe('createEventHandler', () => {
  const handled: Bitrix24Event[] = [];
  const handler = createEventHandler({ applicationToken: lookup, onEvent: (e) => void handled.push(e) });

  it.each([
    ['a verified delivery', form(CAPTURED), 200],
    ['a forged token', form(CAPTURED.replace(TOKEN, '0'.repeat(32))), 401],
    ['an unknown event', form(CAPTURED.replace('ONCRMCONTACTADD', 'ONCRMDEALADD')), 400],
    ['a JSON body', new Request('http://app.test/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 400],
    ['a body over the cap', form(`${CAPTURED}&pad=${'x'.repeat(70_000)}`), 413],
    ['a GET', new Request('http://app.test/'), 405],
  ])('answers %s with HTTP %s', async (_case, request, status) => {
    expect((await handler(request)).status).toBe(status);
  });

  it('hands only verified events on', async () => {
    handled.length = 0;
    await handler(form(CAPTURED.replace(TOKEN, '0'.repeat(32))));
    await handler(form(CAPTURED));
    await Promise.resolve();
    await Promise.resolve();
    expect(handled.map((e) => e.event)).toEqual(['ONCRMCONTACTADD']);
  });
});
