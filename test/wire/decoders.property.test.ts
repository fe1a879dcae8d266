// Property suite over the request decoders (hardening): random and adversarial requests never throw
// past the handler, never pollute a prototype, and always get a 2xx or 4xx in Bitrix24's shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { decodeBracketForm } from '../../src/wire/bracket-form.js';
import { isWireError } from '../../src/wire/wire-error.js';
import { pathLike } from '../support/code-points.js';

const keyPart = fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'fields', 'items', 'cmd', '0', '1', '', 'CONTACT_ID', 'a]', '[b', '%5B', 'x y');
const bracketKey = fc.tuple(keyPart, fc.array(keyPart, { maxLength: 6 })).map(([head, rest]) => `${head}${rest.map((p) => `[${p}]`).join('')}`);
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1010', '-1', 'Y', 'N', '%', '%ZZ', '+', '$result[a][0]', 'true'));
const form = fc.array(fc.tuple(bracketKey, value), { maxLength: 30 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const anyText = fc.oneof(form, fc.string({ maxLength: 200 }), fc.json({ maxDepth: 6 }));
const contentType = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  '',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-8',
);
const url = fc.oneof(
  fc
    .constantFrom('/rest/1/code1234/', '/rest/', '/rest//', '/')
    .chain((prefix) =>
      fc
        .constantFrom('crm.lead.contact.add', 'crm.lead.contact.items.set', 'batch', 'crm.lead.get', 'nosuch.method', 'crm.lead.contact.add.json')
        .map((m) => `${prefix}${m}`),
    ),
  pathLike,
);

const untouched = () => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.keys(Array.prototype)).toEqual([]);
};

describe('request decoders under random and adversarial input', () => {
  it('decodeBracketForm returns data or a 400 WireError, and never touches a prototype', () => {
    fc.assert(
      fc.property(form, (text) => {
        try {
          const decoded = decodeBracketForm(`${text}&__proto__[polluted]=1`);
          expect(typeof decoded).toBe('object');
        } catch (error) {
          expect(isWireError(error) && error.status === 400).toBe(true);
        }
        untouched();
      }),
      { numRuns: 300 },
    );
  });

  it('the sandbox answers every request with a 2xx or 4xx in Bitrix24 shape, never a 500', async () => {
    const sandbox = createSandbox();
    await fc.assert(
      fc.asyncProperty(url, anyText, contentType, fc.constantFrom('POST', 'GET', 'PUT', 'HEAD'), async (path, body, type, method) => {
        const answer = await sandbox.handle({ method, url: path, contentType: type, body });
        expect(answer.status).toBeGreaterThanOrEqual(200);
        expect(answer.status).toBeLessThan(500);
        const shape = answer.body as Record<string, unknown>;
        if (answer.status >= 400) {
          expect(typeof shape.error).toBe('string');
          expect(typeof shape.error_description).toBe('string');
        } else {
          expect(shape).toHaveProperty('result');
        }
        untouched();
      }),
      { numRuns: 300 },
    );
  });
});
