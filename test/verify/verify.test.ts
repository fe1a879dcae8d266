// scripts/verify.mjs against a fake portal on loopback (test/verify/fake-portal.ts): it must pass
// every conforming answer, catch every violating one, clean up what --write created, and never print
// a secret.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { leadContactScenarios } from '../../src/scenarios/lead-contact-scenarios.js';
import { itemScenarios } from '../../src/scenarios/item-scenarios.js';
import { recordScenarios } from '../../src/scenarios/record-scenarios.js';
import { startSandbox } from '../../src/node/sandbox.js';
import { ACCESS_TOKEN, startFakePortal, WEBHOOK_CODE, type FakePortal } from '../support/fake-portal.js';
import { numberWord, quoted } from '../support/guide-figures.js';
import { runVerify } from '../support/verify-run.js';

let portal: FakePortal | undefined;
afterEach(async () => {
  await portal?.close();
  portal = undefined;
});

const webhookEnv = (p: FakePortal) => ({ B24_WEBHOOK_URL: `${p.url}/rest/1/${WEBHOOK_CODE}/` });
const line = (stdout: string, status: 'PASS' | 'FAIL', method: string, label: string) =>
  stdout.split('\n').find((l) => l.startsWith(status) && l.includes(method) && l.includes(label));

describe('npm run verify without credentials', () => {
  it('says what to set and exits with 2', async () => {
    const run = await runVerify([], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No portal credentials');
    expect(run.stderr).toContain('B24_WEBHOOK_URL');
    expect(run.stderr).toContain('B24_ACCESS_TOKEN');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a plain http:// portal without --allow-http', async () => {
    const run = await runVerify([], { B24_WEBHOOK_URL: `http://127.0.0.1:9/rest/1/${WEBHOOK_CODE}/` });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('https://');
    expect(run.stderr).not.toContain(WEBHOOK_CODE);
  });

  it('rejects a lead id that is not a number', async () => {
    const run = await runVerify(['--lead', 'abc'], { B24_WEBHOOK_URL: `https://portal.invalid/rest/1/${WEBHOOK_CODE}/` });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--lead');
  });
});

describe('npm run verify (read-only)', () => {
  it('passes a portal whose answers conform', async () => {
    portal = await startFakePortal();
    const run = await runVerify(['--allow-http', '--lead', '1'], webhookEnv(portal));
    expect(run.stdout).toContain('PASS  crm.lead.contact.fields');
    expect(line(run.stdout, 'PASS', 'crm.lead.contact.items.get', 'contacts of lead 1')).toBeDefined();
    expect(line(run.stdout, 'PASS', 'crm.lead.contact.items.get', 'lead id 0')).toBeDefined();
    expect(run.stdout).toContain('0 with violations');
    expect(run.code).toBe(0);
    expect(portal.calls.map((c) => c.method)).toEqual(['crm.lead.contact.fields', 'crm.lead.contact.items.get', 'crm.lead.contact.items.get']);
  });

  it.each([
    [
      '2',
      'IS_PRIMARY as a JSON boolean',
      /violation at \$\.result\[0\]\.IS_PRIMARY: must be string|violation at \$\.result\[0\]\.IS_PRIMARY: must be equal to one of/,
    ],
    ['3', 'a missing time', /violation at \$\.time: must have required property 'time'/],
    ['4', 'result as a string', /violation at \$\.result: must be array/],
    ['5', 'an HTML error page', /violation at \(header content-type\): expected application\/json, got text\/html[\s\S]*violation at \(body\): not JSON/],
    [
      '6',
      'a redirect to a new address',
      /violation at \(status\): HTTP 302 is not a documented answer of crm\.lead\.contact\.items\.get; redirected to moved\.example\.com/,
    ],
  ])('catches lead %s: %s', async (lead, _case, violation) => {
    portal = await startFakePortal();
    const run = await runVerify(['--allow-http', '--lead', lead], webhookEnv(portal));
    expect(line(run.stdout, 'FAIL', 'crm.lead.contact.items.get', `contacts of lead ${lead}`)).toBeDefined();
    expect(run.stdout).toMatch(violation);
    expect(run.stdout).toContain('PASS  crm.lead.contact.fields');
    expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_CODE);
    expect(run.code).toBe(1);
  });

  it('works with OAuth credentials and never prints the token or the webhook code', async () => {
    portal = await startFakePortal({ auth: 'oauth' });
    const run = await runVerify(['--allow-http', '--lead', '2'], { B24_PORTAL: portal.url, B24_ACCESS_TOKEN: ACCESS_TOKEN });
    expect(run.stdout).toContain('(oauth)');
    expect(run.stdout).toContain('PASS  crm.lead.contact.fields');
    expect(`${run.stdout}${run.stderr}`).not.toContain(ACCESS_TOKEN);

    await portal.close();
    portal = await startFakePortal();
    const webhook = await runVerify(['--allow-http', '--lead', '2'], webhookEnv(portal));
    expect(webhook.stdout).toContain('PASS  crm.lead.contact.fields');
    expect(`${webhook.stdout}${webhook.stderr}`).not.toContain(WEBHOOK_CODE);
  });
});

describe('npm run verify --write', () => {
  it('passes against startSandbox: every lead–contact scenario on records it creates, every answer conforming, then deletes exactly those', async () => {
    const server = await startSandbox({ seed: { leads: [1], contacts: [1010, 1011] } });
    const sandbox = server.portal(WEBHOOK_CODE);
    try {
      const run = await runVerify(['--allow-http', '--write', '--plan', 'off'], { B24_WEBHOOK_URL: `${server.url}/rest/1/${WEBHOOK_CODE}/` });
      for (const scenario of [...leadContactScenarios, ...recordScenarios, ...itemScenarios])
        expect(run.stdout, scenario.rule).toContain(`PASS  (scenario)                     ${scenario.rule}`);
      expect(run.stdout).toMatch(/PASS {2}crm\.lead\.contact\.add\s+rule: /);
      expect(run.stdout).toContain('0 with violations');
      expect(run.code).toBe(0);
      const created = sandbox.calls.filter((c) => c.method === 'crm.lead.add' || c.method === 'crm.contact.add');
      expect(created.map((c) => [c.method, c.result])).toEqual([
        ['crm.lead.add', 2],
        ['crm.contact.add', 1012],
        ['crm.contact.add', 1013],
        ['crm.contact.add', 1014],
      ]);
      // The guides say what --write creates, and say it as this run does.
      for (const guide of ['README.md', 'docs/verify.md'])
        expect(quoted(guide, /create a temporary lead and (\w+) contacts/), guide).toBe(
          numberWord(created.filter((c) => c.method === 'crm.contact.add').length),
        );
      const deleted = sandbox.calls.filter((c) => c.method === 'crm.lead.delete' || c.method === 'crm.contact.delete').map((c) => [c.method, c.params.id]);
      expect(deleted).toEqual([
        ['crm.lead.delete', 2],
        ['crm.contact.delete', 1012],
        ['crm.contact.delete', 1013],
        ['crm.contact.delete', 1014],
      ]);
      expect(sandbox.snapshot()).toMatchObject({ leads: [{ id: 1 }], contacts: [{ id: 1010 }, { id: 1011 }] });
      expect(`${run.stdout}${run.stderr}`).not.toContain(WEBHOOK_CODE);
    } finally {
      await server.close();
    }
  });

  it('names the broken rule when the portal breaks one, and still deletes what it created', async () => {
    const server = await startSandbox({ seed: { leads: [1], contacts: [1010] } });
    const sandbox = server.portal(WEBHOOK_CODE);
    sandbox.fail('crm.lead.contact.items.set', 'internalServerError', { times: 100 });
    try {
      const run = await runVerify(['--allow-http', '--write', '--plan', 'off'], { B24_WEBHOOK_URL: `${server.url}/rest/1/${WEBHOOK_CODE}/` });
      expect(run.stdout).toMatch(
        /FAIL {2}\(scenario\)\s+deleting the primary link promotes the first remaining link\n\s+violation at \(rule, deal sibling \(inferred\)\): stopped by .*INTERNAL_SERVER_ERROR/,
      );
      expect(run.code).toBe(1);
      expect(sandbox.calls.filter((c) => c.method.endsWith('.delete') && !c.method.startsWith('crm.lead.contact')).map((c) => c.params.id)).toEqual([
        2, 1011, 1012, 1013,
      ]);
    } finally {
      await server.close();
    }
  });

  it('deletes the records made so far when creating the next one fails', async () => {
    portal = await startFakePortal({ failOn: 'crm.contact.add' });
    const run = await runVerify(['--allow-http', '--write'], webhookEnv(portal));
    expect(run.stdout).toContain('FAIL  (setup)');
    expect(run.code).toBe(1);
    expect(portal.calls.filter((c) => c.method === 'crm.lead.delete').map((c) => c.params.id)).toEqual([500]);
    expect(portal.calls.some((c) => c.method === 'crm.contact.delete')).toBe(false);
    expect(
      portal.calls.some((c) => c.method.startsWith('crm.lead.contact.') && c.method !== 'crm.lead.contact.fields' && c.method !== 'crm.lead.contact.items.get'),
    ).toBe(false);
  });
});

/** A "portal" that answers every call with `answer(method)` and records the methods it was sent. */
async function scriptedPortal(answer: (method: string, index: number) => unknown) {
  const methods: string[] = [];
  const server = createServer(async (req, res) => {
    for await (const _chunk of req);
    const method = (req.url ?? '').split('/').pop()!;
    methods.push(method);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, methods.filter((m) => m === method).length - 1)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    methods,
    env: { B24_WEBHOOK_URL: `${url}/rest/1/${WEBHOOK_CODE}/` },
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

const CHANGING = /^crm\.lead\.contact\.(add|items\.set|delete|items\.delete)$|\.delete$/;
const TIME = { start: 1, finish: 1, duration: 0, date_start: '2024-05-03T17:19:01+03:00', date_finish: '2024-05-03T17:19:01+03:00' };

describe('npm run verify --write acts only on ids it created (issue 11, defect 4)', () => {
  it('sends no link, unlink or delete call to a portal answering {"result":true} to everything, and exits non-zero naming the answer', async () => {
    const fake = await scriptedPortal(() => ({ result: true, time: TIME }));
    try {
      const run = await runVerify(['--allow-http', '--write'], fake.env);
      expect(fake.methods.filter((m) => CHANGING.test(m))).toEqual([]);
      expect(fake.methods).toContain('crm.lead.add');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/FAIL {2}\(setup\)/);
      expect(run.stdout).toMatch(/crm\.lead\.add answered \{"result":true,.*no new record id \(a positive integer\); stopping before any change/);
      expect(run.stdout).not.toContain(WEBHOOK_CODE);
    } finally {
      await fake.close();
    }
  });

  it.each([
    ['0', 0],
    ['a negative id', -7],
    ['a fraction', 1.5],
    ['text that is not a number', '12abc'],
    ['a list', [500]],
    ['null', null],
  ])('stops at a lead id that is %s, before any change', async (_case, result) => {
    const fake = await scriptedPortal((method) => ({ result: method === 'crm.lead.add' ? result : true, time: TIME }));
    try {
      const run = await runVerify(['--allow-http', '--write'], fake.env);
      expect(fake.methods.filter((m) => CHANGING.test(m) || m === 'crm.contact.add')).toEqual([]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`crm.lead.add answered {"result":${JSON.stringify(result)}`);
    } finally {
      await fake.close();
    }
  });

  it('deletes only the records whose ids it got when a later create answers badly: the lead, and a contact id only once', async () => {
    // The lead is 500 (its decimal text is an id too), the contacts both answer 600: the second is no new record.
    const fake = await scriptedPortal((method) => ({ result: method === 'crm.lead.add' ? '500' : method === 'crm.contact.add' ? 600 : true, time: TIME }));
    try {
      const run = await runVerify(['--allow-http', '--write'], fake.env);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('crm.contact.add answered {"result":600');
      expect(run.stdout).toContain('id 600 again');
      expect(fake.methods.filter((m) => CHANGING.test(m))).toEqual(['crm.lead.delete', 'crm.contact.delete']);
      expect(run.stdout).toMatch(/cleanup: crm\.lead\.delete 500 /);
      expect(run.stdout).toMatch(/cleanup: crm\.contact\.delete 600 /);
    } finally {
      await fake.close();
    }
  });
});
