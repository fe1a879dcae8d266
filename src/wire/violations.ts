import type { ValidationError } from '../../generated/validators.js';

/** One way a request or answer breaks the contract: where (a JSON path) and which rule. */
export interface Violation {
  path: string;
  message: string;
}

const jsonPath = (instancePath: string) =>
  `$${instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')}`;

/** Turns Ajv's errors into violations, once each (a mistake is often reported once per `anyOf` branch). */
export function violationsOf(errors: readonly ValidationError[] | null | undefined): Violation[] {
  const seen = new Map<string, Violation>();
  for (const error of errors ?? []) {
    const { allowedValues, additionalProperty, missingProperty } = error.params as Record<string, unknown>;
    const path = jsonPath(error.instancePath) + (typeof missingProperty === 'string' ? `.${missingProperty}` : '');
    const detail = Array.isArray(allowedValues)
      ? ` (${allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
      : typeof additionalProperty === 'string'
        ? ` (${additionalProperty})`
        : '';
    const violation = { path, message: `${error.message ?? error.keyword}${detail}` };
    seen.set(`${violation.path} ${violation.message}`, violation);
  }
  return [...seen.values()];
}

/** `fields.CONTACT_ID must be integer; id is required`: the violations as one line for an error description. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .map(({ path, message }) => {
      const field = path === '$' ? 'the parameters' : path.replace(/^\$\.?/, '');
      return message.startsWith('must have required property') ? `${field} is required` : `${field} ${message}`;
    })
    .join('; ');
}
