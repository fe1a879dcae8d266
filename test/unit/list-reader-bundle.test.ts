import { describe, expect, it } from 'vitest';
import { bundleApp as bundle } from '../support/bundle.js';

// A text only the reader's code holds (its error code), so its presence means the reader was bundled.
const READER_MARK = 'LIST_WINDOW_BROKEN';

describe('readAll is tree-shakable', () => {
  it('adds nothing to an app that does not import it', async () => {
    const oneCall = await bundle(
      `import { createBitrix24Client } from 'b24-lead-contact';
       createBitrix24Client({ webhookUrl: location.origin + '/rest/1/code/' }).crm.lead.list({ start: -1 }).then(console.log);`,
    );
    expect(oneCall).not.toContain(READER_MARK);
  });

  it('is in the bundle of an app that imports it', async () => {
    const reading = await bundle(
      `import { createBitrix24Client, readAll } from 'b24-lead-contact';
       const client = createBitrix24Client({ webhookUrl: location.origin + '/rest/1/code/' });
       (async () => { for await (const lead of readAll(client, 'crm.lead.list')) console.log(lead.ID); })();`,
    );
    expect(reading).toContain(READER_MARK);
  });
});
