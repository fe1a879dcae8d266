// Every store of the sandbox has a cap: the records a run of add and update calls may leave behind
// are bounded in number and in size, and a call past a cap gets a Bitrix24-shaped 400 naming it.
import { describe, expect, it } from 'vitest';
import { isBitrix24Error } from '../../src/index.js';
import { DEFAULT_SANDBOX_LIMITS } from '../../src/sandbox/sandbox.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isBitrix24Error(error)) throw new Error(`expected a Bitrix24Error, got ${String(error)}`);
  return error;
}

describe('the records a portal stores', () => {
  it('has documented default caps', () => {
    expect(DEFAULT_SANDBOX_LIMITS).toMatchObject({ maxStoredRecords: 100_000, maxRecordBytes: 65_536 });
  });

  it('refuses an add past maxStoredRecords with 400 naming the cap, and takes one again after a delete', async () => {
    const { client } = sandboxWithClient({ seed: { leads: [1, 2], contacts: [10] }, limits: { maxStoredRecords: 3 } });
    const third = await client.crm.lead.add({ fields: { TITLE: 'third' } });
    const error = await failure(client.crm.lead.add({ fields: { TITLE: 'fourth' } }));
    expect([error.status, error.code]).toEqual([400, '']);
    expect(error.description).toContain('limits.maxStoredRecords');
    await client.crm.lead.delete({ id: third });
    await expect(client.crm.lead.add({ fields: { TITLE: 'fourth' } })).resolves.toBeGreaterThan(third);
    // Contacts have a cap of their own.
    await expect(client.crm.contact.add({ fields: { NAME: 'a' } })).resolves.toBeGreaterThan(10);
  });

  it('refuses fields larger than maxRecordBytes on add', async () => {
    const { client } = sandboxWithClient({ limits: { maxRecordBytes: 1024 } });
    const error = await failure(client.crm.contact.add({ fields: { NAME: 'x'.repeat(2000) } }));
    expect([error.status, error.code]).toEqual([400, '']);
    expect(error.description).toContain('limits.maxRecordBytes');
  });

  it('stops updates that keep adding entries before the record passes maxRecordBytes, leaving it as it was', async () => {
    const { sandbox, client } = sandboxWithClient({ limits: { maxRecordBytes: 2048 } });
    const id = await client.crm.contact.add({ fields: { NAME: 'Grows' } });
    let refused: unknown;
    for (let i = 0; i < 100 && !refused; i++) {
      await client.crm.contact.update({ id, fields: { PHONE: [{ VALUE: `+1 555 ${String(i).padStart(6, '0')}`, VALUE_TYPE: 'WORK' }] } }).catch((error) => {
        refused = error;
      });
    }
    expect(isBitrix24Error(refused) && refused.description).toContain('limits.maxRecordBytes');
    const before = JSON.stringify(sandbox.contact(id));
    await failure(client.crm.contact.update({ id, fields: { PHONE: [{ VALUE: '+1 555 999999', VALUE_TYPE: 'WORK' }] } }));
    expect(JSON.stringify(sandbox.contact(id))).toBe(before);
  });
});
