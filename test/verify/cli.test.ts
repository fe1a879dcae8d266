import { describe, expect, it } from 'vitest';
import { parseVerifyFlags } from '../../src/dev/verify/cli.js';
import { connectionFromEnv, secretsFromEnv, UsageError } from '../../src/dev/verify/connection.js';

const CODE = 'verifyclicode42';

describe('parseVerifyFlags', () => {
  it('reads the flags with their defaults and takes the lead from B24_LEAD_ID', () => {
    expect(parseVerifyFlags([], { B24_LEAD_ID: '7' })).toEqual({
      lead: '7',
      write: false,
      proxy: false,
      port: 4020,
      allowHttp: false,
      plan: 'standard',
      help: false,
    });
    expect(parseVerifyFlags(['--plan', 'enterprise'], {}).plan).toBe('enterprise');
    expect(parseVerifyFlags(['--plan', 'off'], {}).plan).toBe(false);
    expect(parseVerifyFlags(['--proxy', '--port', '5000', '--allow-http'], {})).toMatchObject({ proxy: true, port: 5000, allowHttp: true });
  });

  it.each([
    [['--port', 'http'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--lead', '1x'], /--lead must be a lead id/],
    [['--nope'], /Unknown option '--nope'/],
    [['--plan', 'gold'], /--plan must be standard, enterprise or off/],
    [['--plan', 'constructor'], /--plan must be standard, enterprise or off/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseVerifyFlags(argv, {})).toThrow(UsageError);
    expect(() => parseVerifyFlags(argv, {})).toThrow(message);
  });
});

describe('connectionFromEnv', () => {
  it('parses a webhook URL as the client does, a trailing method name included', () => {
    const connection = connectionFromEnv({ B24_WEBHOOK_URL: `https://p.bitrix24.com/rest/1/${CODE}/profile` });
    expect(connection).toEqual({
      kind: 'webhook',
      origin: 'https://p.bitrix24.com',
      base: `https://p.bitrix24.com/rest/1/${CODE}/`,
      webhookUrl: `https://p.bitrix24.com/rest/1/${CODE}/`,
      secrets: [CODE],
    });
  });

  it('parses an OAuth portal given as a host name', () => {
    expect(connectionFromEnv({ B24_PORTAL: 'p.bitrix24.com', B24_ACCESS_TOKEN: 'tok' })).toMatchObject({
      kind: 'oauth',
      base: 'https://p.bitrix24.com/rest/',
      token: 'tok',
      secrets: ['tok'],
    });
  });

  it('answers null without credentials', () => {
    expect(connectionFromEnv({ B24_PORTAL: 'p.bitrix24.com' })).toBeNull();
  });

  it.each([
    [{ B24_WEBHOOK_URL: 'not a url' }, /^B24_WEBHOOK_URL: is not a valid absolute URL$/],
    [{ B24_WEBHOOK_URL: `https://p.bitrix24.com/api/${CODE}/` }, /^B24_WEBHOOK_URL: must look like/],
    [{ B24_WEBHOOK_URL: `http://p.bitrix24.com/rest/1/${CODE}/` }, /B24_WEBHOOK_URL must be an https:\/\/ address \(plain http:\/\/ only with --allow-http/],
  ])('refuses %j naming the variable, never the code', (env, message) => {
    expect(() => connectionFromEnv(env)).toThrow(message);
    try {
      connectionFromEnv(env);
    } catch (error) {
      expect(String(error)).not.toContain(CODE);
    }
  });

  it('takes plain http:// with allowHttp', () => {
    expect(connectionFromEnv({ B24_WEBHOOK_URL: `http://127.0.0.1:9/rest/1/${CODE}/` }, { allowHttp: true })?.origin).toBe('http://127.0.0.1:9');
  });
});

describe('secretsFromEnv', () => {
  it('finds the webhook code even in a URL verify would refuse', () => {
    expect(secretsFromEnv({ B24_WEBHOOK_URL: `http://p/rest/1/${CODE}/` })).toContain(CODE);
  });
});
