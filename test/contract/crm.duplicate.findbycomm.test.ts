import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../helpers.js';

const METHOD = 'crm.duplicate.findbycomm';
const seedRequest: MethodParams<'crm.duplicate.findbycomm'> = { type: 'EMAIL', values: ['John.Smith@Example.org'] };

describe(METHOD, () => {
  describe('success', () => {
    it('answers with the ids by kind, as numbers', async () => {
      await expect(mockClient().crm.duplicate.findbycomm(seedRequest)).resolves.toEqual({ CONTACT: [1010] });
      await expect(mockClient({ oauth: true }).crm.duplicate.findbycomm(seedRequest)).resolves.toEqual({ CONTACT: [1010] });
    });

    it('answers an empty list, not an empty object, when nothing matches', async () => {
      const client = mockClient({ prefer: 'code=200, example=noDuplicates' });
      await expect(client.crm.duplicate.findbycomm({ type: 'PHONE', values: ['000'], entity_type: 'LEAD' })).resolves.toEqual([]);
    });

    it('takes 20 values and a form body', async () => {
      const values = Array.from({ length: 20 }, (_, i) => `55500${i}`);
      await expect(mockClient().crm.duplicate.findbycomm({ type: 'PHONE', values })).resolves.toBeDefined();
      const body = 'type=PHONE&values[0]=555888&entity_type=CONTACT';
      await expect(postRaw(webhookPath(METHOD), body, 'application/x-www-form-urlencoded')).resolves.toMatchObject({ status: 200 });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.duplicate.findbycomm(seedRequest));

    it('a missing type comes with the text in the error field itself', async () => {
      const client = mockClient({ prefer: 'code=400, example=communicationTypeMissing' });
      await expect(client.crm.duplicate.findbycomm(seedRequest)).rejects.toMatchObject({ status: 400, code: 'Communication type is not defined' });
    });
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['missing type', '{"values":["1"]}', /must have required property 'type'/],
      ['missing values', '{"type":"PHONE"}', /must have required property 'values'/],
      ['a type other than EMAIL or PHONE', '{"type":"FAX","values":["1"]}', /type must be equal to one of the allowed values: EMAIL, PHONE/],
      ['21 values', JSON.stringify({ type: 'PHONE', values: Array.from({ length: 21 }, (_, i) => String(i)) }), /values must NOT have more than 20 items/],
      ['no values', '{"type":"PHONE","values":[]}', /values must NOT have fewer than 1 items/],
      ['an unknown entity_type', '{"type":"PHONE","values":["1"],"entity_type":"DEAL"}', /entity_type must be equal to one of the allowed values/],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
