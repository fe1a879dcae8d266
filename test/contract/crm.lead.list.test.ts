import { describe, expect, it } from 'vitest';
import { itAnswersEveryUrlForm, itRaisesEveryDocumentedError, itRejectsInvalidRequests, mockClient, postRaw, webhookPath } from '../helpers.js';

const METHOD = 'crm.lead.list';
const seedRequest = { select: ['ID', 'TITLE', 'STATUS_ID', 'OPPORTUNITY'], filter: { '=STATUS_ID': 'IN_PROCESS' }, order: { ID: 'ASC' }, start: 0 } as const;

describe(METHOD, () => {
  describe('success', () => {
    it('answers with the page, total and no next when one page holds every match', async () => {
      const page = await mockClient().crm.lead.list(seedRequest);
      expect(page).toEqual({
        result: [{ ID: '1', TITLE: 'Lead from the website', STATUS_ID: 'IN_PROCESS', OPPORTUNITY: '12500.00' }],
        total: 1,
        next: undefined,
      });
    });

    it('takes the fast form: >ID, order by ID, start -1, and answers total 0', async () => {
      const client = mockClient({ prefer: 'code=200, example=leadListUncounted' });
      const page = await client.crm.lead.list({ select: ['ID', 'TITLE'], filter: { '>ID': 0 }, order: { ID: 'ASC' }, start: -1 });
      expect(page.total).toBe(0);
      expect(page.next).toBeUndefined();
      expect(page.result.map((lead) => lead.ID)).toEqual(['1', '2']);
    });

    it('lists through the OAuth URL, and bare (every parameter is optional)', async () => {
      await expect(mockClient({ oauth: true }).crm.lead.list(seedRequest)).resolves.toHaveProperty('total', 1);
      await expect(mockClient().crm.lead.list()).resolves.toHaveProperty('result');
    });

    it('takes every documented filter prefix and custom fields', async () => {
      const filter = {
        TITLE: 'a',
        '=TITLE': 'a',
        '!TITLE': 'b',
        '!=TITLE': 'b',
        '>ID': 1,
        '>=ID': 1,
        '<ID': 9,
        '<=ID': 9,
        '@ID': [1, 2],
        '!@ID': [3],
        '%TITLE': 'a',
        '=%TITLE': 'a%',
        '%=TITLE': '%a',
        '!%TITLE': 'z',
        '!%=TITLE': 'z%',
        UF_CRM_1704817278: 5,
      };
      await expect(mockClient().crm.lead.list({ filter, select: ['*', 'UF_*', 'PHONE'] })).resolves.toHaveProperty('result');
    });

    it('reads a form body with bracket nesting', async () => {
      const body = 'select[0]=ID&select[1]=TITLE&filter[%3EID]=0&order[ID]=ASC&start=-1';
      await expect(postRaw(webhookPath(METHOD), body, 'application/x-www-form-urlencoded')).resolves.toMatchObject({ status: 200 });
    });
  });

  describe('documented errors', () => {
    itRaisesEveryDocumentedError(METHOD, (client) => client.crm.lead.list(seedRequest));
  });

  describe('invalid requests get a 400 in the Bitrix24 error shape naming the problem', () => {
    itRejectsInvalidRequests(METHOD, [
      ['filter as an array', '{"filter":[]}', /filter must be object/],
      ['order as text', '{"order":"ID"}', /order must be object/],
      ['an unknown operator prefix', '{"filter":{"~TITLE":"x"}}', /filter/],
      ['a sort direction other than ASC or DESC', '{"order":{"ID":"UP"}}', /order\.ID must be equal to one of the allowed values/],
      ['start below -1', '{"start":-2}', /start must be >= -1/],
      ['start as text', '{"start":"50"}', /start must be integer/],
      ['select as text', '{"select":"*"}', /select must be array/],
    ]);
  });

  describe('URL forms real Bitrix24 clients send', () => {
    itAnswersEveryUrlForm(METHOD, seedRequest);
  });
});
