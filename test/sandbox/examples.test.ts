// The default seed holds the records the contract's examples use: every documented request example
// gets a documented success from a fresh sandbox, in the webhook form or, with `auth`, the OAuth form.
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { resolveRef, spec } from '../support/helpers.js';
import { checkedFetch } from '../support/checked-sandbox.js';

const requestExamples = Object.entries<any>(spec.paths).flatMap(([path, item]) =>
  Object.entries<any>(item.post.requestBody?.content?.['application/json']?.examples ?? {}).map(
    ([name, example]) => [`${path.slice(1)} ${name}`, path.slice(1), resolveRef(example).value] as const,
  ),
);

describe('documented request examples against the default seed', () => {
  it.each(requestExamples)('%s succeeds', async (_label, method, params) => {
    const fetch = checkedFetch(createSandbox());
    const path = typeof params.auth === 'string' ? `/rest/${method}` : `/rest/1/examplecode/${method}`;
    const response = await fetch(`https://example.bitrix24.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(200);
    if (method === 'batch') expect(body.result.result_error).toEqual([]);
  });
});
