// update, delete and fields of a lead and a contact, in the legacy form and the crm.item form: one
// table of cases per behaviour, a row per method and request (the per-method files were near copies).
import { describe, expect, it } from 'vitest';
import type { MethodParams } from '../../src/index.js';
import {
  defaultResult,
  itAnswersEveryUrlForm,
  itRaisesEveryDocumentedError,
  itRejectsInvalidRequests,
  type MockCall,
  mockClient,
  postRaw,
  spec,
  webhookPath,
} from '../support/helpers.js';

type Client = ReturnType<typeof mockClient>;
/** A documented request example's parameters. */
const example = (name: string) => spec.components.examples[name].value as Record<string, unknown>;

interface Row {
  method: string;
  params: Record<string, unknown>;
  call: (client: Client, params: never) => Promise<unknown>;
}
const row = <P>(method: string, params: P, call: (client: Client, params: P) => Promise<unknown>): Row => ({
  method,
  params: params as Record<string, unknown>,
  call: call as Row['call'],
});
const send =
  ({ call, params }: Row): MockCall =>
  (client) =>
    call(client, params as never);

const leadUpdate: MethodParams<'crm.lead.update'> = {
  id: 2,
  fields: { STATUS_ID: 'IN_PROCESS', OPPORTUNITY: 4800, PHONE: [{ VALUE: '555777', VALUE_TYPE: 'MOBILE' }] },
  params: { REGISTER_SONET_EVENT: 'N' },
};
const contactUpdate: MethodParams<'crm.contact.update'> = {
  id: 1010,
  fields: { POST: 'Head of purchasing', EMAIL: [{ VALUE: 'j.smith@example.org', VALUE_TYPE: 'HOME' }] },
};

const UPDATE = [
  row('crm.lead.update', leadUpdate, (client, params) => client.crm.lead.update(params)),
  row('crm.contact.update', contactUpdate, (client, params) => client.crm.contact.update(params)),
  row('crm.item.update', example('itemReplaceLeadPhone'), (client, params) => client.crm.item.update(params as never)),
  row('crm.item.update', example('itemSetLeadContacts'), (client, params) => client.crm.item.update(params as never)),
];
const DELETE = [
  row('crm.lead.delete', { id: 1 }, (client, params) => client.crm.lead.delete(params)),
  row('crm.contact.delete', { id: 1010 }, (client, params) => client.crm.contact.delete(params)),
  row('crm.item.delete', example('itemDeleteLead'), (client, params) => client.crm.item.delete(params as never)),
];
const FIELDS = [
  row('crm.lead.fields', {}, (client) => client.crm.lead.fields()),
  row('crm.contact.fields', {}, (client) => client.crm.contact.fields()),
  row('crm.item.fields', example('itemFieldsOfLeads'), (client, params) => client.crm.item.fields(params as never)),
  row('crm.item.fields', example('itemFieldsOfContacts'), (client, params) => client.crm.item.fields(params as never)),
];
const ALL = [...UPDATE, ...DELETE, ...FIELDS];
const label = (each: Row) => [`${each.method} ${JSON.stringify(each.params).slice(0, 60)}`, each] as const;

// A crm.item method's envelope and documented errors are asked for in crm.item.test.ts, with the
// methods that have no legacy sibling here; this table adds every URL form for each of its requests.
const legacy = (each: Row) => !each.method.startsWith('crm.item.');

describe.each(ALL.map(label))('%s', (_label, each) => {
  if (legacy(each)) {
    it('answers the documented result through the webhook and the OAuth URL', async () => {
      const expected = defaultResult(each.method);
      expect(await send(each)(mockClient())).toEqual(expected);
      expect(await send(each)(mockClient({ oauth: true }))).toEqual(expected);
    });

    describe('documented errors', () => {
      itRaisesEveryDocumentedError(each.method, send(each));
    });
  }

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(each.method, each.params);
  });
});

describe.each(['crm.lead.update', 'crm.contact.update'])('%s: multiple fields in the legacy form', (method) => {
  it('takes entry edits: add, change by ID, remove by DELETE, empty VALUE or a bare ID', async () => {
    const PHONE = [
      { VALUE: '555000' },
      { ID: 11658, VALUE: '555999', VALUE_TYPE: 'MOBILE' },
      { ID: '11659', DELETE: 'Y' },
      { ID: 11660, VALUE: '' },
      { ID: 11661 },
    ];
    await expect(postRaw(webhookPath(method), JSON.stringify({ id: 1, fields: { PHONE } }))).resolves.toMatchObject({ status: 200, body: { result: true } });
  });

  it('reads a form body with bracket nesting', async () => {
    const body = 'id=1&fields[PHONE][0][ID]=11658&fields[PHONE][0][DELETE]=Y&params[REGISTER_SONET_EVENT]=N';
    await expect(postRaw(webhookPath(method), body, 'application/x-www-form-urlencoded')).resolves.toMatchObject({ status: 200, body: { result: true } });
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(method, [
      ['missing id', '{"fields":{}}', /must have required property 'id'/],
      ['missing fields', '{"id":1}', /must have required property 'fields'/],
      ['id below 1', '{"id":0,"fields":{}}', /id must be >= 1/],
      ['fields as an array', '{"id":1,"fields":[]}', /fields must be object/],
      ['params as text', '{"id":1,"fields":{},"params":"Y"}', /params must be object/],
      ['OPENED as a JSON boolean', '{"id":1,"fields":{"OPENED":true}}', /fields\.OPENED must be equal to one of the allowed values: Y, N/],
      ['a new phone entry without VALUE', '{"id":1,"fields":{"PHONE":[{"VALUE_TYPE":"WORK"}]}}', /fields\.PHONE\.0 must have required property 'VALUE'/],
      [
        'DELETE as a JSON boolean',
        '{"id":1,"fields":{"PHONE":[{"ID":1,"DELETE":true}]}}',
        /fields\.PHONE\.0\.DELETE must be equal to one of the allowed values: Y, N/,
      ],
    ]);
  });
});

describe.each(['crm.lead.delete', 'crm.contact.delete'])('%s: a missing record', (method) => {
  it('is a 400 with an empty code, not a false result', async () => {
    const client = mockClient({ prefer: 'code=400, example=recordNotFound' });
    const call = method === 'crm.lead.delete' ? client.crm.lead.delete({ id: 999_999 }) : client.crm.contact.delete({ id: 999_999 });
    await expect(call).rejects.toMatchObject({ status: 400, code: '', description: 'Not found' });
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(method, [
      ['missing id', '{}', /must have required property 'id'/],
      ['id as text', '{"id":"x"}', /id must be integer/],
      ['id below 1', '{"id":0}', /id must be >= 1/],
      ['malformed JSON', '{"id":', /not valid JSON/],
      ['empty body', undefined, /must have required property/],
      ['a form body without id', 'utm_source=crm', /must have required property 'id'/, 'application/x-www-form-urlencoded'],
    ]);
  });
});

describe.each(['crm.lead.fields', 'crm.contact.fields'])('%s: the legacy field list', (method) => {
  it('describes every standard field, multiple fields marked as such', async () => {
    const client = mockClient();
    const fields = method === 'crm.lead.fields' ? await client.crm.lead.fields() : await client.crm.contact.fields();
    expect(fields.ID).toMatchObject({ type: 'integer', isReadOnly: true, isMultiple: false });
    expect(fields.PHONE).toMatchObject({ type: 'crm_multifield', isMultiple: true });
    expect(fields.SOURCE_ID).toMatchObject({ type: 'crm_status', statusType: 'SOURCE' });
  });
});
