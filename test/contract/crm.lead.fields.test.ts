import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, mockClient } from '../helpers.js';

const METHOD = 'crm.lead.fields';

describe(METHOD, () => {
  describe('success', () => {
    it('describes every standard field, multiple fields marked as such', async () => {
      const fields = await mockClient().crm.lead.fields();
      expect(fields.ID).toMatchObject({ type: 'integer', isReadOnly: true, isMultiple: false });
      expect(fields.PHONE).toMatchObject({ type: 'crm_multifield', isMultiple: true });
      expect(fields.SOURCE_ID).toMatchObject({ type: 'crm_status', statusType: 'SOURCE' });
      await expect(mockClient({ oauth: true }).crm.lead.fields()).resolves.toHaveProperty('ID');
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.fields());
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, {});
  });
});
