import { deref, resolvePointer } from './json-pointer.js';

export { deref, resolvePointer };

/** The parts of the bundled OpenAPI document the wire layer reads; everything else passes through. */
export interface Contract {
  info: { version: string; [key: string]: unknown };
  paths: Record<string, { post?: Operation } | undefined>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface Operation {
  operationId?: string;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema; examples?: Record<string, unknown> }> };
  responses: Record<string, unknown>;
  [key: string]: unknown;
}

/** A JSON Schema node as the contract writes it (possibly a `$ref`). */
export type Schema = { $ref?: string; [key: string]: unknown };

/** The operation of a method (`crm.lead.contact.add`), or undefined when the contract does not have it. */
export function operationOf(contract: Contract, method: string): Operation | undefined {
  return Object.hasOwn(contract.paths, `/${method}`) ? contract.paths[`/${method}`]?.post : undefined;
}

/** The JSON request schema of a method, which the form encoding shares. */
export function requestSchemaOf(contract: Contract, method: string): Schema | undefined {
  const content = operationOf(contract, method)?.requestBody?.content;
  return (content?.['application/json'] ?? content?.['application/x-www-form-urlencoded'])?.schema;
}

/** The schema and every schema it refers to or combines (`$ref`, `allOf`, `anyOf`, `oneOf`). */
function schemaParts(contract: unknown, schema: unknown, parts: Schema[] = [], depth = 0): Schema[] {
  if (!schema || typeof schema !== 'object' || depth > 32) return parts;
  const node = schema as Schema;
  if (typeof node.$ref === 'string') schemaParts(contract, resolvePointer(contract, node.$ref), parts, depth + 1);
  parts.push(node);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const part of list) schemaParts(contract, part, parts, depth + 1);
  }
  // A branch chosen by `if` (crm.item's fields by entityTypeId) types the values too.
  for (const key of ['then', 'else'] as const) schemaParts(contract, node[key], parts, depth + 1);
  return parts;
}

/** An object whose keys are all integers (what the bracket-form decoder leaves of a PHP array with gaps). */
const isIndexKeyed = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length > 0 &&
  Object.keys(value).every((key) => /^(?:0|-?[1-9]\d*)$/.test(key));

/**
 * Form and query values are all text. Turns the ones the contract types as numbers or booleans back
 * into numbers and booleans, so that validation reports real mistakes (`CONTACT_ID=abc`) only.
 */
export function coerceToSchema(contract: unknown, value: unknown, schema: unknown): unknown {
  const parts = schemaParts(contract, schema);
  const children = (pick: (s: Schema) => unknown): Schema => ({
    anyOf: parts.map(pick).filter((child) => child !== null && typeof child === 'object'),
  });
  // `items[1][…]&items[3][…]` is a PHP array with gaps, which a PHP method walks as a list.
  if (isIndexKeyed(value) && parts.some((s) => [s.type].flat().includes('array'))) value = Object.values(value);
  if (Array.isArray(value))
    return value.map((item) =>
      coerceToSchema(
        contract,
        item,
        children((s) => s.items),
      ),
    );
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        coerceToSchema(
          contract,
          item,
          children((s) => (s.properties as Record<string, unknown> | undefined)?.[key] ?? s.additionalProperties),
        ),
      ]),
    );
  }
  if (typeof value !== 'string') return value;
  const types = new Set(parts.flatMap((s) => [s.type ?? []].flat() as string[]));
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
