// Issue 16 #9e: a Prefer header asking for what a method does not document gets a Bitrix24-shaped
// 400 from the mock that names it, not Prism's own 500 or 404.
import { describe, expect, it } from 'vitest';
import { checkPrefer, parsePrefer } from '../../src/dev/prefer-check.js';
import type { Contract } from '../../src/wire/contract.js';
import { mockUrl, spec, webhookPath } from '../support/helpers.js';

const ADD = 'crm.lead.contact.add';

const post = (prefer: string) =>
  fetch(`${mockUrl()}${webhookPath(ADD)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', prefer },
    body: JSON.stringify({ id: 1, fields: { CONTACT_ID: 1010 } }),
  }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json() }));

describe('parsePrefer', () => {
  it.each([
    ['code=400, example=leadNotFound', { code: '400', example: 'leadNotFound' }],
    ['example="linked"', { example: 'linked' }],
    ['dynamic=true', {}],
    ['CODE=200,Example=linked', { code: '200', example: 'linked' }],
  ])('reads %s', (header, expected) => {
    expect(parsePrefer(header)).toEqual(expected);
  });
});

describe('checkPrefer', () => {
  const contract = spec as Contract;
  it.each([
    ['code=400, example=leadNotFound', undefined],
    ['code=200, example=nothingChanged', undefined],
    ['example=linked', undefined],
    ['code=400', undefined],
    ['dynamic=true', undefined],
    ['code=400, example=nope', /example=nope is not an example of the 400 answer of crm\.lead\.contact\.add; the 400 answer's examples are .*leadNotFound/],
    ['example=leadNotFound', /example=leadNotFound is not an example of the 200 answer .* \(it belongs to code=400\)/],
    ['code=299', /code=299 is not an answer crm\.lead\.contact\.add documents; it documents 200, 400/],
  ])('%s → %s', (header, refusal) => {
    const run = () => checkPrefer(contract, ADD, header);
    if (refusal) expect(run).toThrow(refusal);
    else expect(run).not.toThrow();
  });
});

describe('the mock with a Prefer header', () => {
  it('regression (issue 16 #9e): code=400, example=nope gets a Bitrix24-shaped 400 naming the unknown example', async () => {
    const answer = await post('code=400, example=nope');
    expect(answer).toMatchObject({
      status: 400,
      type: expect.stringMatching(/^application\/json/),
      body: { error: 'PREFER_UNKNOWN_EXAMPLE', error_description: expect.stringContaining('example=nope') },
    });
    expect(Object.keys(answer.body).sort()).toEqual(['error', 'error_description']);
  });

  it('answers an undocumented status with a Bitrix24-shaped 400 naming it', async () => {
    const answer = await post('code=299');
    expect(answer).toMatchObject({ status: 400, body: { error: 'PREFER_UNKNOWN_CODE', error_description: expect.stringContaining('code=299') } });
  });

  it('still answers a documented example', async () => {
    const answer = await post('code=400, example=leadNotFound');
    expect(answer).toMatchObject({ status: 400, body: { error: 'NOT_FOUND' } });
  });
});
