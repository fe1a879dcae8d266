// The parent side of the frame protocol as pure functions (src/sandbox/frame-protocol.ts): the same
// functions the frame host's page runs in the browser.
import { describe, expect, it } from 'vitest';
import { frameCommandRule, frameReply, parseFrameMessage, placementInterface, resizedTo, withoutTokens } from '../../src/sandbox/frame-protocol.js';

const SID = '0123456789abcdef0123456789abcdef';

describe('parseFrameMessage', () => {
  it.each([
    ['the official SDK drops an empty params slot', `getInitData:cb1:${SID}`, { command: 'getInitData', params: '', callback: 'cb1', appSid: SID }],
    ['BX24.js keeps it empty', `getInitData::cb1:${SID}`, { command: 'getInitData', params: '', callback: 'cb1', appSid: SID }],
    ['JSON params may hold colons', `setTitle:{"title":"a:b"}:cb2:${SID}`, { command: 'setTitle', params: { title: 'a:b' }, callback: 'cb2', appSid: SID }],
    ['a raw value (isRawValue) stays text', `reloadData:all:cb3:${SID}`, { command: 'reloadData', params: 'all', callback: 'cb3', appSid: SID }],
    [
      'a command with a colon comes as an object',
      { method: 'im:setTextareaContent', params: { text: 'x' }, callback: 'cb4', appSid: SID },
      { command: 'im:setTextareaContent', params: { text: 'x' }, callback: 'cb4', appSid: SID },
    ],
  ])('%s', (_label, data, expected) => {
    expect(parseFrameMessage(data)).toEqual(expected);
  });

  it.each([
    ['too few parts', 'getInitData:cb'],
    ['no command', `:cb:${SID}`],
    ['no APP_SID', 'getInitData:cb:'],
    ['an object without a method', { callback: 'cb', appSid: SID }],
    ['an object without an APP_SID', { method: 'getInitData', callback: 'cb' }],
    ['a number', 42],
    ['null', null],
  ])('is not a frame message: %s', (_label, data) => {
    expect(parseFrameMessage(data)).toBeUndefined();
  });
});

describe('frameReply', () => {
  it.each([
    ['a value as callback:JSON', 'cb', { width: 10 }, 'cb:{"width":10}'],
    ['a string value, JSON-quoted', 'cb', 'a:b', 'cb:"a:b"'],
    ['no value as the bare id', 'cb', undefined, 'cb'],
  ])('%s', (_label, callback, value, expected) => {
    expect(frameReply(callback, value)).toBe(expected);
  });
});

describe('frameCommandRule: what the portal does with a command', () => {
  it.each([
    ['getInitData', 'DEFAULT', 'init'],
    ['refreshAuth', 'CRM_LEAD_DETAIL_TAB', 'refresh'],
    ['setInstall', 'DEFAULT', 'echo'],
    ['setTitle', 'DEFAULT', 'echo'],
    ['setTitle', 'CRM_LEAD_DETAIL_TAB', 'denied'],
    ['setScroll', 'CRM_LEAD_DETAIL_TAB', 'denied'],
    ['reloadWindow', 'CRM_LEAD_DETAIL_TAB', 'denied'],
    ['reloadWindow', 'DEFAULT', 'never'],
    ['setUserOption', 'DEFAULT', 'echo'],
    ['setAppOption', 'DEFAULT', 'appOption'],
    ['resizeWindow', 'CRM_LEAD_DETAIL_TAB', 'resize'],
    ['getInterface', 'DEFAULT', 'interface'],
    ['reloadData', 'CRM_LEAD_DETAIL_TAB', 'ack'],
    ['reloadData', 'CRM_DEAL_DETAIL_ACTIVITY', 'ack'],
    ['reloadData', 'CRM_CONTACT_LIST_MENU', 'ack'],
    ['reloadData', 'DEFAULT', 'unknown'],
    ['setInstallFinish', 'DEFAULT', 'never'],
    ['imOpenMessenger', 'DEFAULT', 'never'],
    ['im:setTextareaContent', 'IM_TEXTAREA', 'never'],
    ['selectUser', 'DEFAULT', 'unknown'],
    ['noSuchCommand', 'DEFAULT', 'unknown'],
  ])('%s in %s: %s', (command, placement, rule) => {
    expect(frameCommandRule(command, placement)).toBe(rule);
  });
});

describe('placementInterface', () => {
  it.each([
    ['DEFAULT', { command: [], event: [] }],
    ['CRM_LEAD_DETAIL_TAB', { command: ['reloadData'], event: [] }],
  ])('%s', (placement, expected) => {
    expect(placementInterface(placement)).toEqual(expected);
  });
});

describe('resizedTo', () => {
  const available = { width: 800, height: 600 };
  it.each([
    ['numbers as pixels', { width: 300, height: 200 }, { width: 300, height: 200 }],
    ["fitWindow's 100% takes the available width", { width: '100%', height: 450 }, { width: 800, height: 450 }],
    ['"px" strings', { width: '320px', height: '240' }, { width: 320, height: 240 }],
    ['no wider than the layout', { width: 5000, height: 100 }, { width: 800, height: 100 }],
    ['nonsense keeps the available size', { width: -1, height: 'tall' }, available],
    ['no params', '', available],
  ])('%s', (_label, params, expected) => {
    expect(resizedTo(params, available)).toEqual(expected);
  });
});

describe('withoutTokens', () => {
  it('hides token fields at any depth and keeps the rest', () => {
    expect(withoutTokens({ AUTH_ID: 'a', nested: [{ refresh_token: 'r', auth: 'x', keep: 1 }], title: 't' })).toEqual({
      AUTH_ID: '(hidden)',
      nested: [{ refresh_token: '(hidden)', auth: '(hidden)', keep: 1 }],
      title: 't',
    });
  });
});
