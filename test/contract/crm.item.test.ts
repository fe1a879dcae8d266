// crm.item.add|get|list|update|delete|fields for leads (entityTypeId 1) and contacts (3), against the
// mock: one table of the six methods, each with a request from the example records, the envelope its
// answer must have, and the bodies the contract refuses. The legacy lead and contact methods keep
// their own files; these six share everything but the table rows.
import { describe, expect, it } from 'vitest';
import {
  itAnswersEveryUrlForm,
  itRaisesEveryDocumentedError,
  itRejectsInvalidRequests,
  type MockCall,
  mockClient,
  postRaw,
  webhookPath,
} from '../support/helpers.js';

interface MethodCase {
  method: string;
  /** A valid request, naming only example records. */
  seed: Record<string, unknown>;
  call: MockCall;
  /** What the answer (the default example) must look like. */
  envelope: (answer: any) => void;
  /** Bodies the contract refuses: [case, body, what the error names]. */
  invalid: Array<[string, string, RegExp]>;
}

const lead = { entityTypeId: 1 } as const;
const missingKind: [string, string, RegExp] = ['no entityTypeId', '{"id":1,"fields":{}}', /must have required property 'entityTypeId'/];

const cases: MethodCase[] = [
  {
    method: 'crm.item.add',
    seed: { ...lead, fields: { title: 'Website enquiry', fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '555888' }] } },
    call: (client) => client.crm.item.add({ ...lead, fields: { title: 'Website enquiry', fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '555888' }] } }),
    envelope: (answer) => {
      expect(answer.item).toMatchObject({ id: 3, entityTypeId: 1, opportunity: 12500, contactIds: [] });
      expect(answer.item.fm.every((entry: any) => typeof entry.id === 'number')).toBe(true);
    },
    invalid: [
      missingKind,
      [
        'an fm entry without typeId (a portal drops it silently)',
        '{"entityTypeId":1,"fields":{"fm":[{"value":"555888"}]}}',
        /fields\.fm\.0 must have required property 'typeId'/,
      ],
      ['fm as text (a portal ignores it silently)', '{"entityTypeId":1,"fields":{"fm":"555888"}}', /fm must be array/],
      ['a lead amount as text', '{"entityTypeId":1,"fields":{"opportunity":"12500.00"}}', /opportunity must be number/],
    ],
  },
  {
    method: 'crm.item.get',
    seed: { ...lead, id: 1 },
    call: (client) => client.crm.item.get({ ...lead, id: 1 }),
    envelope: (answer) => {
      expect(answer.item).toMatchObject({ id: 1, contactId: 1010, contactIds: [1010, 1011], opportunity: 12500, isReturnCustomer: 'N', phone: '555888' });
      expect(answer.item.fm).toEqual([{ id: 11658, typeId: 'PHONE', valueType: 'WORK', value: '555888' }]);
    },
    invalid: [
      missingKind,
      ['id as text', '{"entityTypeId":1,"id":"one"}', /id must be integer/],
      ['entityTypeId as text', '{"entityTypeId":"lead","id":1}', /entityTypeId must be integer/],
    ],
  },
  {
    method: 'crm.item.list',
    seed: { ...lead, select: ['id', 'title', 'stageId', 'opportunity'], filter: { '@stageId': ['NEW', 'IN_PROCESS'] }, order: { id: 'ASC' } },
    call: (client) => client.crm.item.list({ ...lead, select: ['title'], filter: { '@stageId': ['NEW'] }, order: { id: 'ASC' } }),
    envelope: (answer) => {
      expect(answer.result.items.map((item: any) => item.id)).toEqual([1, 2]);
      expect(answer.total).toBe(2);
      expect(answer.next).toBeUndefined();
    },
    invalid: [
      ['no entityTypeId', '{"select":["id"]}', /must have required property 'entityTypeId'/],
      ['an order direction other than ASC or DESC', '{"entityTypeId":1,"order":{"id":"UP"}}', /order\.id must be equal to one of the allowed values/],
      ['start below -1', '{"entityTypeId":1,"start":-2}', /start must be >= -1/],
    ],
  },
  {
    method: 'crm.item.update',
    seed: { ...lead, id: 2, fields: { contactIds: [1010, 1020] } },
    call: (client) => client.crm.item.update({ ...lead, id: 2, fields: { contactIds: [1010, 1020] } }),
    envelope: (answer) => expect(answer.item).toMatchObject({ id: 2, contactIds: [1010, 1020], contactId: 1010, isReturnCustomer: 'Y' }),
    invalid: [
      missingKind,
      ['fm as an array (a portal appends it)', '{"entityTypeId":1,"id":1,"fields":{"fm":[{"typeId":"PHONE","value":"1"}]}}', /fm must be object/],
      [
        'an fm change without typeId (a portal changes nothing)',
        '{"entityTypeId":1,"id":1,"fields":{"fm":{"11658":{"value":""}}}}',
        /must have required property 'typeId'/,
      ],
      [
        'an fm key that is neither n0, n1, … nor an entry id',
        '{"entityTypeId":1,"id":1,"fields":{"fm":{"new":{"typeId":"PHONE","value":"1"}}}}',
        /fm property name must be valid/,
      ],
      [
        'a new fm entry with an empty value',
        '{"entityTypeId":1,"id":1,"fields":{"fm":{"n0":{"typeId":"PHONE","value":""}}}}',
        /fields\.fm\.n0\.value must NOT have fewer than 1 characters/,
      ],
      ['a lead’s contactIds as one number', '{"entityTypeId":1,"id":1,"fields":{"contactIds":1010}}', /contactIds must be array/],
    ],
  },
  {
    method: 'crm.item.delete',
    seed: { ...lead, id: 1 },
    call: (client) => client.crm.item.delete({ ...lead, id: 1 }),
    envelope: (answer) => expect(answer).toEqual([]),
    invalid: [missingKind, ['no id', '{"entityTypeId":1}', /must have required property 'id'/]],
  },
  {
    method: 'crm.item.fields',
    seed: { ...lead },
    call: (client) => client.crm.item.fields({ ...lead }),
    envelope: (answer) => {
      expect(answer.fields.stageId).toMatchObject({ type: 'crm_status', statusType: 'STATUS', upperName: 'STAGE_ID' });
      expect(answer.fields.fm).toMatchObject({ type: 'crm_multifield', isMultiple: true });
      expect(answer.fields.contactId).toMatchObject({ isDeprecated: true });
    },
    invalid: [['no entityTypeId', '{}', /must have required property 'entityTypeId'/]],
  },
];

describe.each(cases)('$method', ({ method, call, envelope, invalid }) => {
  it('answers with its documented envelope, ids and amounts as JSON numbers', async () => {
    envelope(await call(mockClient()));
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(method, call);
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(method, invalid);
  });
});

describe('crm.item answers for a contact', () => {
  it('get: a contact has no title and no contactIds', async () => {
    const { item } = await mockClient({ prefer: 'code=200, example=contactItem' }).crm.item.get({ entityTypeId: 3, id: 1010 });
    expect(item).toMatchObject({ id: 1010, entityTypeId: 3, email: 'john.smith@example.org' });
    expect(item).not.toHaveProperty('title');
    expect(item).not.toHaveProperty('contactIds');
  });

  it('list: the fast form answers total 0 and no next', async () => {
    const page = await mockClient({ prefer: 'code=200, example=leadItemPageUncounted' }).crm.item.list({
      entityTypeId: 1,
      select: ['title'],
      filter: { '>id': 0 },
      order: { id: 'ASC' },
      start: -1,
    });
    expect(page).toMatchObject({ total: 0, next: undefined });
  });

  it('reads a form body with bracket nesting, fm entries included', async () => {
    const body = 'entityTypeId=1&fields[title]=Enquiry&fields[fm][0][typeId]=PHONE&fields[fm][0][valueType]=WORK&fields[fm][0][value]=555888';
    await expect(postRaw(webhookPath('crm.item.add'), body, 'application/x-www-form-urlencoded')).resolves.toMatchObject({ status: 200 });
  });
});

describe('URL forms real Bitrix24 clients send', () => {
  // The URL handling is the mock's, shared by every method; one crm.item method stands for the six.
  itAnswersEveryUrlForm('crm.item.get', cases[1]!.seed);
});
