import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, mockClient } from '../helpers.js';

const METHOD = 'crm.contact.fields';

describe(METHOD, () => {
  describe('success', () => {
    it('describes every standard field, multiple fields marked as such', async () => {
      const fields = await mockClient().crm.contact.fields();
      expect(fields.ID).toMatchObject({ type: 'integer', isReadOnly: true, isMultiple: false });
      expect(fields.PHONE).toMatchObject({ type: 'crm_multifield', isMultiple: true });
      expect(fields.SOURCE_ID).toMatchObject({ type: 'crm_status', statusType: 'SOURCE' });
      await expect(mockClient({ oauth: true }).crm.contact.fields()).resolves.toHaveProperty('ID');
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.contact.fields());
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, {});
  });
});
