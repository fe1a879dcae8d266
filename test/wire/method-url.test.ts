import { describe, expect, it } from 'vitest';
import { parseMethodUrl } from '../../src/wire/method-url.js';

describe('parseMethodUrl: every URL form real clients send', () => {
  it.each([
    ['/rest/1/code123/crm.lead.contact.add', { method: 'crm.lead.contact.add', form: 'webhook', userId: '1', webhookCode: 'code123' }],
    ['/rest/1/code123/crm.lead.contact.add.json', { method: 'crm.lead.contact.add', form: 'webhook' }],
    ['/rest/1/code123/crm.lead.contact.add/', { method: 'crm.lead.contact.add', form: 'webhook' }],
    ['/rest/1/code123/crm.lead.contact.add?utm_source=x&id=1', { method: 'crm.lead.contact.add', form: 'webhook' }],
    ['/rest/crm.lead.contact.add', { method: 'crm.lead.contact.add', form: 'oauth' }],
    ['/rest//crm.lead.contact.add', { method: 'crm.lead.contact.add', form: 'oauth' }],
    ['/rest//crm.lead.contact.add.json?auth=t', { method: 'crm.lead.contact.add', form: 'oauth' }],
    ['/crm.lead.contact.add', { method: 'crm.lead.contact.add', form: 'bare' }],
    ['/rest/1/code123/CRM.Lead.Contact.Add', { method: 'crm.lead.contact.add', form: 'webhook' }],
  ])('%s', (url, expected) => {
    expect(parseMethodUrl(url)).toMatchObject(expected);
  });

  it.each([
    '/',
    '/rest/',
    '/rest/1/code123/',
    '/rest/x/code/crm.lead.contact.add',
    '/rest/1/code/extra/crm.lead.contact.add',
    '/rest/crm..lead',
    '/rest/1/code/..%2f..%2fetc',
  ])('%s is no method URL', (url) => {
    expect(parseMethodUrl(url)).toBeNull();
  });

  it('keeps the query for GET parameters and auth', () => {
    expect(parseMethodUrl('/rest/crm.lead.contact.items.get?id=1&auth=tok')?.query.get('auth')).toBe('tok');
  });
});
