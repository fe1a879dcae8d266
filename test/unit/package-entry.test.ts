import { describe, expect, it } from 'vitest';

describe('the published package entry', () => {
  it('exports createBitrix24Client under the package name (after npm run build)', async () => {
    const entry = await import('b24-lead-contact');
    expect(typeof entry.createBitrix24Client).toBe('function');
    expect(typeof entry.isBitrix24Error).toBe('function');
    const client = entry.createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
    expect(typeof client.crm.lead.contact.add).toBe('function');
  });

  it('ships the bundled contract', async () => {
    const { default: contract } = await import('b24-lead-contact/openapi.json', { with: { type: 'json' } });
    expect(contract.paths['/crm.lead.contact.add'].post.operationId).toBe('crmLeadContactAdd');
  });
});
