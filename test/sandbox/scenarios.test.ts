// The lead–contact rules of the contract, written once in src/scenarios and run here against the
// sandbox; `npm run verify -- --write` runs the same scenarios against a real portal.
import { describe, expect, it } from 'vitest';
import { leadContactScenarios, runScenarios } from '../../src/scenarios/lead-contact-scenarios.js';
import { recordScenarios } from '../../src/scenarios/record-scenarios.js';
import { createBitrix24Client } from '../../src/index.js';
import { createSandbox } from '../../src/sandbox/browser.js';
import { eventScenarios } from '../../src/scenarios/event-scenarios.js';
import { checkedFetch, sandboxWithClient } from '../support/checked-sandbox.js';

const marker = 'b24-lead-contact scenario run';
// As verify --write makes them: the lead's TITLE and the contacts' LAST_NAME carry the run's marker.
const seed = {
  leads: [
    { id: 100, fields: { TITLE: marker } },
    { id: 101, fields: { TITLE: 'another lead' } },
  ],
  contacts: [201, 202, 203]
    .map((id) => ({ id, fields: { NAME: 'Verify', LAST_NAME: marker } }))
    .concat([{ id: 204, fields: { NAME: 'Other', LAST_NAME: 'x' } }]),
};
const records = { lead: 100, contacts: [201, 202, 203] as const, marker };

describe('the lead–contact and record scenarios against the sandbox', () => {
  it.each([...leadContactScenarios, ...recordScenarios].map((scenario) => [scenario.rule, scenario] as const))('%s', async (_rule, scenario) => {
    const { client } = sandboxWithClient({ seed });
    const [outcome] = await runScenarios(client, records, [scenario]);
    expect(outcome?.mismatch).toBeUndefined();
  });

  it.each(eventScenarios.map((scenario) => [scenario.rule, scenario] as const))('%s (as an app, through its offline queue)', async (_rule, scenario) => {
    const sandbox = createSandbox({ seed });
    const { access_token } = sandbox.installApp({ clientId: 'local.verify', clientSecret: 'verify-secret' });
    const client = createBitrix24Client({ portal: 'https://sandbox.bitrix24.test', accessToken: access_token, fetch: checkedFetch(sandbox), retry: false });
    const [outcome] = await runScenarios(client, records, [scenario]);
    expect(outcome?.mismatch).toBeUndefined();
  });

  it('names the broken rule when the portal behaves otherwise', async () => {
    const { client, sandbox } = sandboxWithClient({ seed });
    sandbox.fail('crm.lead.contact.items.get', { status: 400, error: 'NOT_FOUND', error_description: 'Not found.' }, { times: 2 });
    const [outcome] = await runScenarios(client, records, leadContactScenarios.slice(0, 1));
    expect(outcome?.mismatch).toMatch(/stopped by .*NOT_FOUND/);
  });
});
