import bundled from '../../../generated/openapi.bundle.json' with { type: 'json' };
import { requestValidators, responseValidators } from '../../../generated/validators.js';
import { decodeBracketForm } from '../../wire/bracket-form.js';
import { coerceToSchema, operationOf, requestSchemaOf, type Contract } from '../../wire/contract.js';
import { violationsOf, type Violation } from '../../wire/violations.js';

export const contract = bundled as unknown as Contract;

export type { Violation };

/** What came back from the portal for one call. */
export interface PortalAnswer {
  status: number;
  contentType?: string;
  body: string;
  location?: string;
}

/** The host a redirect points at, or a note that it cannot be read (never throws). */
function redirectHost(location: string): string {
  try {
    return new URL(location, 'https://portal.invalid').host;
  } catch {
    return 'an unreadable address';
  }
}

/** Checks one answer against the contract: documented status, JSON content type, body schema. */
export function checkResponse(method: string, { status, contentType = '', body, location }: PortalAnswer): Violation[] {
  const byStatus = responseValidators[method];
  if (!operationOf(contract, method) || !byStatus) return [{ path: '(method)', message: `${method} is not in the contract` }];
  const validate = byStatus[String(status)] ?? byStatus.default;
  if (!validate) {
    // A 3xx means the portal moved (Bitrix24 redirects an old address); update the portal URL.
    const moved = status >= 300 && status < 400 && location ? `; redirected to ${redirectHost(location)}` : '';
    return [{ path: '(status)', message: `HTTP ${status} is not a documented answer of ${method}${moved}` }];
  }
  const violations: Violation[] = [];
  if (!/^application\/json\b/i.test(contentType))
    violations.push({ path: '(header content-type)', message: `expected application/json, got ${contentType || 'none'}` });
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    violations.push({ path: '(body)', message: `not JSON: ${JSON.stringify(body.slice(0, 60))}` });
    return violations;
  }
  if (!validate(data)) violations.push(...violationsOf(validate.errors));
  return violations;
}

/** Checks one request body (JSON, form or query) against the method's request schema. */
export function checkRequest(
  method: string,
  { contentType = '', body = '', query = '' }: { contentType?: string; body?: string; query?: string },
): Violation[] {
  const operation = operationOf(contract, method);
  if (!operation) return [{ path: '(method)', message: `${method} is not in the contract` }];
  let data: unknown;
  try {
    if (/application\/json/i.test(contentType)) {
      data = body.trim() === '' ? {} : JSON.parse(body);
    } else {
      // Form and query values are text: read them as Bitrix24 does (bracket nesting, numbers by the schema).
      const decoded = decodeBracketForm(body || query);
      if (Object.keys(decoded).length === 0 && !operation.requestBody?.required) return [];
      data = coerceToSchema(contract, decoded, requestSchemaOf(contract, method));
    }
  } catch (error) {
    return [{ path: '(request body)', message: error instanceof SyntaxError ? 'not valid JSON' : (error as Error).message }];
  }
  const validate = requestValidators[method];
  if (!validate || validate(data)) return [];
  return violationsOf(validate.errors).map((v) => ({ ...v, path: `request ${v.path}` }));
}
