import { describe, expect, it } from 'vitest';
import { contractValidator, pointer } from '../contract-validator.js';
import { resolveRef, spec } from '../helpers.js';

const ajv = contractValidator();

interface ExampleCase {
  where: string;
  schemaRef: string;
  value: unknown;
}

/** Every request and response example in the contract, with the schema it must satisfy. */
function collectExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const fromContent = (content: Record<string, any>, base: string[], where: string) => {
    for (const [mediaType, media] of Object.entries(content)) {
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        cases.push({
          where: `${where} ${mediaType} example ${name}`,
          schemaRef: pointer(...base, 'content', mediaType, 'schema'),
          value: resolveRef(example as object).value,
        });
      }
    }
  };
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [verb, operation] of Object.entries<any>(item)) {
      if (operation.requestBody) {
        fromContent(operation.requestBody.content, ['paths', path, verb, 'requestBody'], `${path} request`);
      }
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        if (response.$ref) continue; // shared responses are checked once below
        fromContent(response.content ?? {}, ['paths', path, verb, 'responses', status], `${path} ${status}`);
      }
    }
  }
  for (const [name, response] of Object.entries<any>(spec.components.responses ?? {})) {
    fromContent(response.content ?? {}, ['components', 'responses', name], `response ${name}`);
  }
  return cases;
}

const cases = collectExamples();

describe('examples in the contract', () => {
  it('are found for every operation and shared response', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.where, c] as const))('%s matches its schema', (_where, example) => {
    const validate = ajv.getSchema(example.schemaRef) ?? ajv.compile({ $ref: example.schemaRef });
    const valid = validate(example.value);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the same check rejects a value that breaks the schema', () => {
    const request = cases.find((c) => c.where.startsWith('/crm.lead.contact.add request application/json'))!;
    const validate = ajv.compile({ $ref: request.schemaRef });
    expect(validate({ id: 'one', fields: { CONTACT_ID: 0 } })).toBe(false);
  });
});
