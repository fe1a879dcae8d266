// crm.item.* for leads and contacts: a second view over the store the legacy methods keep. Every
// behaviour is one table over entityTypeId 1 (lead) and 3 (contact); lead-only rules (links) follow.
import { describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../../src/sandbox/sandbox.js';
import { ALIASES, itemFields } from '../../src/sandbox/item-fields.js';
import { sandboxWithClient } from '../support/checked-sandbox.js';
import { spec } from '../support/helpers.js';

const KINDS = [
  { entityTypeId: 1, kind: 'lead', legacy: 'crm.lead', name: { title: 'Website form' }, legacyName: { TITLE: 'Website form' } },
  { entityTypeId: 3, kind: 'contact', legacy: 'crm.contact', name: { name: 'Anna', lastName: 'Berg' }, legacyName: { NAME: 'Anna', LAST_NAME: 'Berg' } },
] as const;
type Kind = (typeof KINDS)[number];

const byKind = KINDS.map((kind) => [kind.kind, kind] as const);

/** A sandbox and a JSON caller for it: the answer's body, or the error body with its status. */
function portal(seed?: SandboxOptions['seed'], limits?: SandboxOptions['limits']) {
  const { sandbox, client, send } = sandboxWithClient({ ...(seed ? { seed } : {}), ...(limits ? { limits } : {}) });
  const call = (method: string, params: Record<string, unknown>) =>
    send(method, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  /** The answer's `result` of a call that must succeed. */
  const ok = async (method: string, params: Record<string, unknown>) => {
    const { status, body } = await call(method, params);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.result;
  };
  return { sandbox, client, call, ok };
}

const contactsOf = (count: number, fields: (i: number) => Record<string, unknown> = (i) => ({ NAME: `C${i}`, LAST_NAME: `L${i}` })) =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, fields: fields(i + 1) }));
const seedOf = (kind: Kind, count: number, fields: (i: number) => Record<string, unknown>) =>
  kind.kind === 'lead' ? { leads: contactsOf(count, fields) } : { contacts: contactsOf(count, fields) };

describe('one store, two views', () => {
  it.each(byKind)('a %s made by crm.item.add is the record the legacy get reads', async (_label, kind) => {
    const { ok } = portal();
    const fm = [
      { typeId: 'PHONE', valueType: 'WORK', value: '+1 555 0100' },
      { typeId: 'EMAIL', valueType: 'HOME', value: 'anna@example.org' },
    ];
    const { item } = await ok('crm.item.add', {
      entityTypeId: kind.entityTypeId,
      fields: { ...kind.name, assignedById: 1, opened: 'Y', ...(kind.kind === 'lead' ? { opportunity: 12500, currencyId: 'USD' } : {}), fm, ufCrm_7: 'kept' },
    });
    expect(item).toMatchObject({ id: expect.any(Number), entityTypeId: kind.entityTypeId, ...kind.name, assignedById: 1, hasPhone: 'Y', hasEmail: 'Y' });
    expect(item.fm).toEqual([
      { id: expect.any(Number), typeId: 'PHONE', valueType: 'WORK', value: '+1 555 0100' },
      { id: expect.any(Number), typeId: 'EMAIL', valueType: 'HOME', value: 'anna@example.org' },
    ]);
    expect([item.phone, item.phoneWork, item.email, item.emailHome, item.ufCrm_7]).toEqual([
      '+1 555 0100',
      '+1 555 0100',
      'anna@example.org',
      'anna@example.org',
      'kept',
    ]);
    const legacy = await ok(`${kind.legacy}.get`, { id: item.id });
    expect(legacy).toMatchObject({
      ID: String(item.id),
      ...kind.legacyName,
      ASSIGNED_BY_ID: '1',
      ...(kind.kind === 'lead' ? { OPPORTUNITY: '12500.00', CURRENCY_ID: 'USD' } : {}),
      PHONE: [{ ID: String(item.fm[0].id), VALUE: '+1 555 0100', VALUE_TYPE: 'WORK', TYPE_ID: 'PHONE' }],
      EMAIL: [{ ID: String(item.fm[1].id), VALUE: 'anna@example.org', VALUE_TYPE: 'HOME', TYPE_ID: 'EMAIL' }],
      UF_CRM_7: 'kept',
    });
  });

  it.each(byKind)('a %s made by the legacy add reads in crm.item.get with numbers, fm and custom names', async (_label, kind) => {
    const { ok } = portal();
    const id = await ok(`${kind.legacy}.add`, {
      fields: { ...kind.legacyName, ASSIGNED_BY_ID: '1', PHONE: [{ VALUE: '555', VALUE_TYPE: 'MOBILE' }], UF_CRM_10_DIGIT: 'x', BIRTHDATE: '2000-01-31' },
    });
    const { item } = await ok('crm.item.get', { entityTypeId: kind.entityTypeId, id });
    expect(item).toMatchObject({
      id,
      ...kind.name,
      assignedById: 1,
      phoneMobile: '555',
      fm: [{ id: id * 100 + 1, typeId: 'PHONE', valueType: 'MOBILE', value: '555' }],
      ufCrm10Digit: 'x',
      birthdate: '2000-01-31T00:00:00+00:00',
      observers: [],
      companyId: 0,
    });
    expect(item.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect((await ok('crm.item.get', { entityTypeId: kind.entityTypeId, id, useOriginalUfNames: 'Y' })).item).toMatchObject({ UF_CRM_10_DIGIT: 'x' });
  });

  it.each(byKind)('a %s changed by crm.item.update is changed for the legacy get, and the other way round', async (_label, kind) => {
    const { ok } = portal();
    const id = await ok(`${kind.legacy}.add`, { fields: kind.legacyName });
    const { item } = await ok('crm.item.update', { entityTypeId: kind.entityTypeId, id, fields: { comments: 'called back', sourceId: 'WEB' } });
    expect(item).toMatchObject({ id, comments: 'called back', sourceId: 'WEB', ...kind.name });
    expect(await ok(`${kind.legacy}.get`, { id })).toMatchObject({ COMMENTS: 'called back', SOURCE_ID: 'WEB' });
    await ok(`${kind.legacy}.update`, { id, fields: { COMMENTS: 'second call' } });
    expect((await ok('crm.item.get', { entityTypeId: kind.entityTypeId, id })).item).toMatchObject({ comments: 'second call' });
  });

  it.each(byKind)('a %s deleted by crm.item.delete is gone for both views', async (_label, kind) => {
    const { ok, call } = portal();
    const id = await ok(`${kind.legacy}.add`, { fields: kind.legacyName });
    expect(await ok('crm.item.delete', { entityTypeId: kind.entityTypeId, id })).toEqual([]);
    expect((await call(`${kind.legacy}.get`, { id })).status).toBe(400);
    expect(await call('crm.item.get', { entityTypeId: kind.entityTypeId, id })).toMatchObject({ status: 400, body: { error: 'NOT_FOUND' } });
  });

  it.each(byKind)('crm.duplicate.findbycomm finds the phone and e-mail a %s holds in fm', async (_label, kind) => {
    const { ok } = portal({ leads: [], contacts: [] });
    const { item } = await ok('crm.item.add', {
      entityTypeId: kind.entityTypeId,
      fields: { ...kind.name, fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+1 (555) 010-77' }] },
    });
    await ok('crm.item.update', {
      entityTypeId: kind.entityTypeId,
      id: item.id,
      fields: { fm: { n0: { typeId: 'EMAIL', valueType: 'WORK', value: 'Anna@Example.org' } } },
    });
    const key = kind.kind.toUpperCase();
    expect(await ok('crm.duplicate.findbycomm', { type: 'PHONE', values: ['155501077'] })).toEqual({ [key]: [item.id] });
    expect(await ok('crm.duplicate.findbycomm', { type: 'EMAIL', values: ['anna@example.org'] })).toEqual({ [key]: [item.id] });
  });
});

describe('fm on crm.item.update', () => {
  const seedPhones = (kind: Kind) =>
    seedOf(kind, 1, () => ({
      ...kind.legacyName,
      PHONE: [
        { ID: '501', VALUE: '111', VALUE_TYPE: 'WORK' },
        { ID: '502', VALUE: '222', VALUE_TYPE: 'WORK' },
      ],
      EMAIL: [{ ID: '503', VALUE: 'a@example.org', VALUE_TYPE: 'WORK' }],
    }));

  it.each(byKind)('%s: n0, n1 add; an entry id changes; an id with value "" deletes; the entries not named stay', async (_label, kind) => {
    const { ok } = portal(seedPhones(kind));
    const { item } = await ok('crm.item.update', {
      entityTypeId: kind.entityTypeId,
      id: 1,
      fields: {
        fm: {
          n0: { typeId: 'PHONE', valueType: 'MOBILE', value: '333' },
          n1: { typeId: 'EMAIL', valueType: 'HOME', value: 'b@example.org' },
          501: { typeId: 'PHONE', valueType: 'HOME', value: '999' },
          502: { typeId: 'PHONE', value: '' },
        },
      },
    });
    expect(item.fm.map((entry: { typeId: string; valueType: string; value: string }) => [entry.typeId, entry.valueType, entry.value])).toEqual([
      ['PHONE', 'HOME', '999'],
      ['PHONE', 'MOBILE', '333'],
      ['EMAIL', 'WORK', 'a@example.org'],
      ['EMAIL', 'HOME', 'b@example.org'],
    ]);
    expect(item.fm[0].id).toBe(501);
    const legacy = await ok(`${kind.legacy}.get`, { id: 1 });
    expect(legacy.PHONE.map((entry: { VALUE: string }) => entry.VALUE)).toEqual(['999', '333']);
  });

  it.each(
    KINDS.flatMap((kind) =>
      [
        ['update', 'an entry without typeId', { fm: { 501: { value: '000' } } }, /fields\.fm\[501\]\.typeId is required/],
        ['update', 'an array (a portal would append it)', { fm: [{ typeId: 'PHONE', value: '1' }] }, /fields\.fm must be object/],
        ['update', 'a key that is neither n0… nor an id', { fm: { first: { typeId: 'PHONE', value: '1' } } }, /fields\.fm property name must be valid/],
        ['update', 'an unknown typeId', { fm: { n0: { typeId: 'FAX', value: '1' } } }, /fields\.fm\.n0\.typeId: must be one of PHONE, EMAIL, WEB, IM, LINK/],
        ['add', 'an entry without typeId', { fm: [{ valueType: 'WORK', value: '1' }] }, /fields\.fm\[0\]\.typeId is required/],
        ['add', 'fm as text (a portal would ignore it)', { fm: '+1 555 0100' }, /fields\.fm must be array/],
        ['add', 'an entry with an empty value', { fm: [{ typeId: 'EMAIL', value: '' }] }, /fields\.fm\[0\]\.value must NOT have fewer than 1 characters/],
      ].map(([method, label, fields, rule]) => [`${kind.kind} ${method}: ${label as string}`, kind, method, fields, rule] as const),
    ),
  )('%s gets a 400 naming the field and leaves the record as it was', async (_label, kind, method, fields, rule) => {
    const { call, sandbox } = portal(seedPhones(kind));
    const before = JSON.stringify(sandbox.snapshot());
    const answer = await call(`crm.item.${method}`, { entityTypeId: kind.entityTypeId, ...(method === 'update' ? { id: 1 } : {}), fields });
    expect(answer.status).toBe(400);
    expect(answer.body.error_description).toMatch(rule as RegExp);
    expect(JSON.stringify(sandbox.snapshot())).toBe(before);
  });
});

describe('crm.item.add and crm.item.update refuse what a portal would drop', () => {
  it.each([
    ['a contact has no title', 3, { title: 'x' }, /fields\.title: a contact has no field "title"/],
    ['a contact has no contactIds', 3, { contactIds: [1] }, /fields\.contactIds: a contact has no field/],
    ['a misspelt lead field', 1, { titel: 'x' }, /fields\.titel: a lead has no field "titel"/],
  ])('%s', async (_label, entityTypeId, fields, rule) => {
    const { call } = portal();
    const answer = await call('crm.item.add', { entityTypeId, fields });
    expect(answer).toMatchObject({ status: 400, body: { error: '' } });
    expect(answer.body.error_description).toMatch(rule);
  });

  it('refuses a scalar contactIds naming the field (a portal answers error 100)', async () => {
    const { call } = portal();
    const answer = await call('crm.item.update', { entityTypeId: 1, id: 2, fields: { contactIds: 1010 } });
    expect(answer).toMatchObject({ status: 400 });
    expect(answer.body.error_description).toMatch(/fields\.contactIds must be array/);
  });

  it.each(byKind)('%s: read-only and derived fields sent back are ignored, so an item read can be sent back', async (_label, kind) => {
    const { ok } = portal();
    const id = await ok(`${kind.legacy}.add`, { fields: kind.legacyName });
    const { item } = await ok('crm.item.get', { entityTypeId: kind.entityTypeId, id });
    const { fm: _fm, ...sendBack } = item;
    const { item: after } = await ok('crm.item.update', {
      entityTypeId: kind.entityTypeId,
      id,
      fields: { ...sendBack, createdTime: '2001-01-01T00:00:00+00:00', phone: '1' },
    });
    expect(after).toEqual(item);
  });
});

describe('entityTypeId and missing items', () => {
  it.each([
    ['get', { entityTypeId: 2, id: 1 }],
    ['get', { entityTypeId: 1, id: 999 }],
    ['get', { entityTypeId: 3, id: 1 }],
    ['update', { entityTypeId: 3, id: 999, fields: {} }],
    ['delete', { entityTypeId: 1, id: 999 }],
    ['add', { entityTypeId: 31, fields: {} }],
    ['list', { entityTypeId: 7 }],
    ['fields', { entityTypeId: 4 }],
  ])('crm.item.%s %j answers 400 NOT_FOUND', async (method, params) => {
    const { call } = portal();
    expect(await call(`crm.item.${method}`, params)).toMatchObject({ status: 400, body: { error: 'NOT_FOUND' } });
  });
});

describe('crm.item.list', () => {
  // Prefixes, order and pages are the legacy lists' (one table in record-lists.test.ts); what only crm.item.list does:
  it.each(byKind)('%s: nested logic groups, derived fields and upperNames in a filter', async (_label, kind) => {
    const { ok } = portal(seedOf(kind, 6, (i) => ({ NAME: i === 6 ? 'Zed' : `N${i}`, PHONE: i > 4 ? [{ VALUE: `55${i}` }] : [] })));
    const ids = async (filter: Record<string, unknown>) =>
      (await ok('crm.item.list', { entityTypeId: kind.entityTypeId, filter, select: ['id'] })).items.map((item: { id: number }) => item.id);
    expect(await ids({ 0: { logic: 'OR', 0: { name: 'Zed' }, 1: { '<id': 2 } }, '!id': 3 })).toEqual([1, 6]);
    expect(await ids({ hasPhone: 'Y' })).toEqual([5, 6]);
    expect(await ids({ NAME: 'Zed', CREATED_BY: 1 })).toEqual([6]); // upperNames, as the PHP SDK sends them
  });

  it('answers result.items with total and next per command inside batch', async () => {
    const { ok } = portal(seedOf(KINDS[0], 60, () => ({})));
    const answer = await ok('batch', {
      cmd: { a: 'crm.item.list?entityTypeId=1&select[0]=id', b: 'crm.item.list?entityTypeId=1&start=-1&select[0]=id' },
    });
    expect(answer).toMatchObject({ result_total: { a: 60, b: 0 }, result_next: { a: 50 } });
    expect(answer.result.a.items).toHaveLength(50);
  });

  it.each(byKind)('%s: fm only with select *; an omitted select is every field but fm; named fields and id otherwise', async (_label, kind) => {
    const { ok } = portal(seedOf(kind, 1, () => ({ ...kind.legacyName, PHONE: [{ VALUE: '555' }], UF_CRM_1: 'u' })));
    const list = async (select?: unknown[]) => (await ok('crm.item.list', { entityTypeId: kind.entityTypeId, ...(select ? { select } : {}) })).items[0];
    const { item } = await ok('crm.item.get', { entityTypeId: kind.entityTypeId, id: 1 });
    expect(await list(['*'])).toEqual(item);
    const { fm: _fm, ...withoutFm } = item;
    expect(await list()).toEqual(withoutFm);
    expect(await list(['phone', 'fm', 'ufCrm_1', 'noSuchField'])).toEqual({ id: 1, phone: '555', ufCrm_1: 'u' });
  });

  it.each(
    KINDS.flatMap((kind) =>
      (
        [
          [{ filter: { titel: 'x' } }, /Invalid filter: field 'titel' is not allowed in filter/],
          [{ filter: { '>=noSuch': 1 } }, /Invalid filter: field 'noSuch'/],
          [{ filter: { fm: '555' } }, /Invalid filter: field 'fm'/],
          [{ order: { noSuch: 'ASC' } }, /Invalid order: field 'noSuch' is not allowed in order/],
        ] as const
      ).map(([params, rule]) => [`${kind.kind}: ${JSON.stringify(params)}`, kind, params, rule] as const),
    ),
  )('%s answers 400 INVALID_ARG_VALUE naming the field', async (_label, kind, params, rule) => {
    const { call } = portal();
    const answer = await call('crm.item.list', { entityTypeId: kind.entityTypeId, ...params });
    expect(answer).toMatchObject({ status: 400, body: { error: 'INVALID_ARG_VALUE' } });
    expect(answer.body.error_description).toMatch(rule);
  });
});

describe('crm.item.fields', () => {
  it.each(byKind)('%s: the documented fields, each upperName the stored field the sandbox maps it to', async (_label, kind) => {
    const { ok } = portal();
    const { fields } = await ok('crm.item.fields', { entityTypeId: kind.entityTypeId });
    expect(fields).toEqual(spec.components.examples[`${kind.kind}ItemFields`].value.result.fields);
    const viewed = new Set([...itemFields(kind.kind).keys(), ...Object.keys(ALIASES), 'searchContent']);
    expect(Object.keys(fields).filter((name) => !viewed.has(name))).toEqual([]);
    expect('title' in fields).toBe(kind.kind === 'lead');
  });
});

describe('the documented crm.item examples are what a fresh sandbox answers', () => {
  /** What only the clock and the entry-id sequence decide: the times of a change, the entry ids an add assigns. */
  const clockFree = (method: string, answer: any) => {
    if (method !== 'crm.item.add' && method !== 'crm.item.update') return answer;
    const item = { ...answer.result.item };
    for (const name of ['createdTime', 'updatedTime', 'movedTime', 'lastActivityTime'])
      if (name in item && (method === 'crm.item.add' || name === 'updatedTime')) item[name] = expect.any(String);
    if (method === 'crm.item.add') item.fm = item.fm.map((entry: object) => ({ ...entry, id: expect.any(Number) }));
    return { ...answer, result: { item } };
  };

  it.each([
    ['crm.item.get', 'itemGetLead', 'leadItem'],
    ['crm.item.get', 'itemGetContact', 'contactItem'],
    ['crm.item.add', 'itemAddLead', 'leadItemCreated'],
    ['crm.item.add', 'itemAddContact', 'contactItemCreated'],
    ['crm.item.list', 'itemListLeadsByStage', 'leadItemPage'],
    ['crm.item.list', 'itemListLeadsAfterId', 'leadItemPageUncounted'],
    ['crm.item.list', 'itemListContactsByEmail', 'contactItemPage'],
    ['crm.item.update', 'itemSetLeadContacts', 'leadItemLinked'],
    ['crm.item.update', 'itemReplaceLeadPhone', 'leadItemPhoneReplaced'],
    ['crm.item.delete', 'itemDeleteLead', 'itemDeleted'],
  ])('%s %s answers %s', async (method, request, answer) => {
    const { call } = portal();
    const { status, body } = await call(method, spec.components.examples[request].value);
    expect(status).toBe(200);
    const { time: _time, ...expected } = spec.components.examples[answer].value;
    const { time: _t, ...actual } = body;
    expect(actual).toEqual(clockFree(method, expected));
  });
});

describe("a lead's contacts through crm.item and crm.lead.contact.*", () => {
  it('contactIds set by crm.item.update are the links items.get shows, the first primary, and make a repeat lead', async () => {
    const { ok } = portal();
    const { item } = await ok('crm.item.update', { entityTypeId: 1, id: 2, fields: { contactIds: [1020, 1010] } });
    expect(item).toMatchObject({ contactIds: [1020, 1010], contactId: 1020, isReturnCustomer: 'Y' });
    expect(await ok('crm.lead.contact.items.get', { id: 2 })).toEqual([
      { CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' },
      { CONTACT_ID: 1010, SORT: 20, ROLE_ID: 0, IS_PRIMARY: 'N' },
    ]);
    expect(await ok('crm.lead.get', { id: 2 })).toMatchObject({ CONTACT_ID: '1020', CONTACT_IDS: [1020, 1010], IS_RETURN_CUSTOMER: 'Y' });
  });

  it('when contactId and contactIds disagree, contactIds decides and its first contact is primary', async () => {
    const { ok } = portal();
    const { item } = await ok('crm.item.update', { entityTypeId: 1, id: 2, fields: { contactIds: [1010, 1011], contactId: 1020 } });
    expect(item).toMatchObject({ contactIds: [1010, 1011], contactId: 1010 });
  });

  it('a link made by crm.lead.contact.add shows in contactIds, and does not make a repeat lead', async () => {
    const { ok } = portal();
    await ok('crm.lead.contact.add', { id: 2, fields: { CONTACT_ID: 1020 } });
    await ok('crm.lead.contact.add', { id: 2, fields: { CONTACT_ID: 1011, IS_PRIMARY: 'Y' } });
    expect((await ok('crm.item.get', { entityTypeId: 1, id: 2 })).item).toMatchObject({ contactIds: [1011, 1020], contactId: 1011, isReturnCustomer: 'N' });
    await ok('crm.lead.contact.items.delete', { id: 2 });
    expect((await ok('crm.item.get', { entityTypeId: 1, id: 2 })).item).toMatchObject({ contactIds: [], contactId: 0 });
  });

  it('a lead without links reads companyId and contactId 0, contactIds []', async () => {
    const { ok } = portal();
    expect((await ok('crm.item.get', { entityTypeId: 1, id: 2 })).item).toMatchObject({ companyId: 0, contactId: 0, contactIds: [] });
  });

  it('crm.item.list filters leads by their primary contact', async () => {
    const { ok } = portal();
    expect((await ok('crm.item.list', { entityTypeId: 1, filter: { contactId: 1010 }, select: ['title'] })).items).toEqual([
      { id: 1, title: 'Lead from the website' },
    ]);
  });
});

describe('caps and journal as for every method', () => {
  it.each(byKind)('crm.item.add of a %s counts against maxStoredRecords and maxRecordBytes', async (_label, kind) => {
    const { call } = portal({ leads: [1], contacts: [1] }, { maxStoredRecords: 1, maxRecordBytes: 512 });
    const full = await call('crm.item.add', { entityTypeId: kind.entityTypeId, fields: kind.name });
    expect(full).toMatchObject({ status: 400, body: { error: '' } });
    expect(full.body.error_description).toContain('limits.maxStoredRecords');
    const big = await call('crm.item.update', { entityTypeId: kind.entityTypeId, id: 1, fields: { comments: 'x'.repeat(600) } });
    expect(big.body.error_description).toContain('limits.maxRecordBytes');
  });

  it('journals crm.item calls with their parameters and answers', async () => {
    const { ok, sandbox } = portal();
    await ok('crm.item.get', { entityTypeId: 3, id: 1010 });
    expect(sandbox.calls.at(-1)).toMatchObject({ method: 'crm.item.get', params: { entityTypeId: 3, id: 1010 }, status: 200, result: { item: { id: 1010 } } });
  });
});
