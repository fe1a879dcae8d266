// Issue 16 #9d: a request whose head is fine but whose chunked body is not valid HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/node/sandbox.js';
import { expectContractAnswer } from '../support/contract-answer.js';
import { RawConnection, requestHead } from '../support/raw-http.js';

let server: RunningSandbox;
beforeAll(async () => {
  server = await startSandbox();
});
afterAll(() => server.close());

describe('a broken chunked body after valid headers', () => {
  it.each([
    ['a chunk size that is no hex number', '5\r\n{"id"\r\nZZZ\r\n'],
    ['a chunk longer than its size', '2\r\n{"id":1}\r\n0\r\n\r\n'],
  ])('regression (issue 16 #9d): %s gets the promised 400 in Bitrix24 shape, then the connection closes', async (_name, chunks) => {
    const connection = new RawConnection(server.port);
    try {
      await connection.write(requestHead('/rest/1/sandbox/crm.lead.contact.items.get', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
      await connection.write(chunks);
      const answer = await connection.answer();
      expect(answer.status).toBe(400);
      expectContractAnswer(undefined, answer.status, answer.body);
      expect(answer.body.error_description).toMatch(/chunked request body is malformed|not valid HTTP/);
      expect(answer.head).toMatch(/\r\nconnection: close/i);
      expect(await connection.untilClosed()).toBe(true);
    } finally {
      connection.destroy();
    }
  });

  it('keeps answering other callers afterwards', async () => {
    const answer = await fetch(`${server.webhookUrl}crm.lead.contact.items.get`, {
      method: 'POST',
      body: '{"id":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
  });
});
