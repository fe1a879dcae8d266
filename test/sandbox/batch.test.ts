// `batch` as the sandbox runs it: order, `$result` references, halt, the 50-command limit and the
// refusal of nested batches, every part keyed like `cmd`; batch commands appear in the journal.
import { describe, expect, it } from 'vitest';
import { batch, bulk, cmd } from '../../src/index.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';

const json = { 'content-type': 'application/json' };

describe('batch', () => {
  it('runs commands in order, each seeing what the earlier ones changed', async () => {
    const { client } = sandboxWithClient();
    const out = await batch(client, {
      link: cmd.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } }),
      again: cmd.crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } }),
      read: cmd.crm.lead.contact.items.get({ id: 2 }),
    });
    expect(out.link).toMatchObject({ ok: true, result: true });
    expect(out.again).toMatchObject({ ok: true, result: false });
    expect(out.read).toMatchObject({ ok: true, result: [{ CONTACT_ID: 1020, IS_PRIMARY: 'Y' }] });
  });

  it('substitutes $result[key][index][FIELD] from an earlier command', async () => {
    const { send, sandbox } = sandboxWithClient();
    const answer = await send('batch', {
      headers: json,
      body: JSON.stringify({ cmd: { g: 'crm.lead.contact.items.get?id=1', d: 'crm.lead.contact.delete?id=1&fields[CONTACT_ID]=$result[g][0][CONTACT_ID]' } }),
    });
    expect(answer.body.result.result.d).toBe(true);
    expect(sandbox.lead(1)?.contacts.map((c) => c.CONTACT_ID)).toEqual([1011]);
    expect(sandbox.calls.filter((c) => c.batchKey).map((c) => [c.batchKey, c.method, c.params])).toEqual([
      ['g', 'crm.lead.contact.items.get', { id: 1 }],
      ['d', 'crm.lead.contact.delete', { id: 1, fields: { CONTACT_ID: 1010 } }],
    ]);
  });

  it('reports each failed command under its own key in result_error and runs the rest', async () => {
    const { client } = sandboxWithClient();
    const out = await batch(client, {
      bad: cmd.crm.lead.contact.add({ id: 999, fields: { CONTACT_ID: 1020 } }),
      good: cmd.crm.lead.contact.items.get({ id: 1 }),
    });
    expect(out.bad).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', method: 'crm.lead.contact.add' } });
    expect(out.good).toMatchObject({ ok: true });
  });

  it('with halt, stops at the first failing command', async () => {
    const { client, sandbox } = sandboxWithClient();
    const out = await batch(
      client,
      { bad: cmd.crm.lead.contact.add({ id: 999, fields: { CONTACT_ID: 1020 } }), never: cmd.crm.lead.contact.items.delete({ id: 1 }) },
      { halt: true },
    );
    expect(out.never).toMatchObject({ ok: false, error: { code: 'BATCH_HALTED' } });
    expect(sandbox.lead(1)?.contacts).toHaveLength(2);
  });

  it('commands beyond the 50th fail one by one with ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    const { send } = sandboxWithClient();
    const commands = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`c${i + 1}`, 'crm.lead.contact.items.get?id=1']));
    const answer = await send('batch', { headers: json, body: JSON.stringify({ cmd: commands }) });
    expect(Object.keys(answer.body.result.result)).toHaveLength(50);
    expect(answer.body.result.result_error).toEqual({
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c52: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
  });

  it('refuses a nested batch command with ERROR_BATCH_METHOD_NOT_ALLOWED', async () => {
    const { send } = sandboxWithClient();
    const answer = await send('batch', {
      headers: json,
      body: JSON.stringify({ cmd: { inner: 'batch?cmd[x]=crm.lead.contact.fields', ok: 'crm.lead.contact.fields' } }),
    });
    expect(answer.body.result.result_error.inner.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
    expect(answer.body.result.result.ok).toHaveProperty('CONTACT_ID');
  });

  it('a command list (array) is keyed by position; empty parts are []', async () => {
    const { client } = sandboxWithClient();
    const out = await batch(client, [cmd.crm.lead.contact.items.get({ id: 1 }), cmd.crm.lead.contact.items.get({ id: 2 })]);
    expect(out).toMatchObject([{ ok: true }, { ok: true, result: [] }]);
    const { send } = sandboxWithClient();
    const answer = await send('batch', { headers: json, body: JSON.stringify({ cmd: ['crm.lead.contact.items.get?id=1'] }) });
    expect(answer.body.result.result_error).toEqual([]);
  });

  it('an unknown method in a command fails that command only', async () => {
    const { send } = sandboxWithClient();
    const answer = await send('batch', { headers: json, body: JSON.stringify({ cmd: { x: 'crm.lead.contact.nosuch?id=1' } }) });
    expect(answer.body.result.result_error.x.error).toBe('ERROR_METHOD_NOT_FOUND');
  });

  it('a batch without cmd gets a 400 naming cmd', async () => {
    const { send } = sandboxWithClient();
    const answer = await send('batch', { headers: json, body: '{"halt":1}' });
    expect(answer).toMatchObject({ status: 400, body: { error: '' } });
    expect(answer.body.error_description).toMatch(/cmd is required/);
  });
});

describe('regression (issue 22 #9): batch substitution as a portal does it, and typed commands never rewritten', () => {
  const seed = {
    leads: [
      { id: 1, fields: { TITLE: 'Promo $result[x] code' } },
      { id: 2, fields: { TITLE: 'other' } },
    ],
    contacts: [1],
  };

  // The sandbox follows the portal's rule (src/wire/batch-reference.ts): any letter case, five parts
  // of the answer, a reference runs to the next white space and needs a [step].
  it.each([
    ['$result[a][TITLE]', 'other'],
    ['$RESULT[a][TITLE]', 'other'],
    ['x%20$Result[a][TITLE],%20y', 'x other y'],
    ['$total[n]', '2'],
    ['$result%20[a]', '$result [a]'],
    ['$result', '$result'],
  ])('reads %j in a command value as %j', async (written, stored) => {
    const { send, sandbox } = sandboxWithClient({ seed });
    const answer = await send('batch', {
      headers: json,
      body: JSON.stringify({ cmd: { a: 'crm.lead.get?id=2', n: 'crm.lead.list?select[0]=ID', u: `crm.lead.update?id=1&fields[TITLE]=${written}` } }),
    });
    expect(answer.body.result.result_error).toEqual([]);
    expect(sandbox.lead(1)?.fields.TITLE).toBe(stored);
  });

  it.each([
    ["the report's text", { TITLE: 'Use code $result[promo] at checkout' }, 'fields[TITLE]'],
    ['another letter case, in a nested value', { PHONE: [{ VALUE: '$Next[p0] ext' }] }, 'fields[PHONE][0][VALUE]'],
  ])('bulk and batch refuse %s with INVALID_PARAMS naming the parameter, and send nothing', async (_name, fields, parameter) => {
    const { client, sandbox } = sandboxWithClient({ seed });
    const update = cmd.crm.lead.update({ id: 2, fields });
    for (const run of [() => bulk(client, [update]), () => batch(client, { update })]) {
      const error = await run().catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ name: 'Bitrix24Error', code: 'INVALID_PARAMS', method: 'batch' });
      expect((error as Error).message).toContain(`Cannot send ${parameter} in a batch command`);
    }
    expect(sandbox.calls).toEqual([]);
    // The same update as a plain call stores the text as written.
    await client.crm.lead.update({ id: 2, fields });
    expect(sandbox.lead(2)?.fields).toMatchObject(fields);
  });
});
