// The mock reads requests with the shared wire layer: the official JS SDK's `/rest//method` form,
// and the caps every server applies to hostile input, answered in Bitrix24's shape.
import { describe, expect, it } from 'vitest';
import { mockUrl, webhookPath } from '../support/helpers.js';
import { RawConnection, requestHead } from '../support/raw-http.js';

const post = (path: string, body: string | Uint8Array<ArrayBuffer>, contentType = 'application/json') =>
  fetch(`${mockUrl()}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

describe('the mock', () => {
  it('answers the OAuth form with a double slash, as the official JS SDK sends it', async () => {
    const answer = await post('/rest//crm.lead.contact.items.get', JSON.stringify({ id: 1, auth: 'token-1234' }));
    expect(answer.status).toBe(200);
  });

  it('regression (hardening #6): a body over 4 MB gets 413 in Bitrix24 shape', async () => {
    // Declared, not sent: the mock answers from Content-Length and closes, and a client still uploading
    // 5 MB at that moment (fetch, on a busy machine) would see the close instead of the answer.
    const connection = new RawConnection(Number(new URL(mockUrl()).port));
    await connection.write(requestHead(webhookPath('crm.lead.contact.add'), { 'content-type': 'application/json', 'content-length': 5 * 1024 * 1024 }));
    const answer = await connection.answer();
    connection.destroy();
    expect(answer).toMatchObject({
      status: 413,
      body: { error: 'REQUEST_ENTITY_TOO_LARGE', error_description: expect.stringMatching(/larger than 4194304 bytes/) },
    });
  });

  it('regression (hardening #7): fields[a]×5000 gets a 400 naming the parameter, not a 500', async () => {
    const answer = await post(webhookPath('crm.lead.contact.add'), `id=1&fields${'[a]'.repeat(5000)}=1`, 'application/x-www-form-urlencoded');
    expect(answer).toMatchObject({ status: 400, body: { error: '', error_description: expect.stringMatching(/nests deeper than 32 levels/) } });
  });

  it('regression (hardening #5): 40,000 x[]= parameters get a 400 at once, not 35 s of decoding', async () => {
    const answer = await post(
      webhookPath('crm.lead.contact.add'),
      Array.from({ length: 40_000 }, () => 'x[]=1').join('&'),
      'application/x-www-form-urlencoded',
    );
    expect(answer).toMatchObject({ status: 400, body: { error_description: expect.stringMatching(/Too many parameters/) } });
  });
});
