// Prism picks an answer by the `Prefer` header (`code=400, example=leadNotFound`). Asked for a status or
// an example the method does not document, it answers with its own problem document (a 404, or a 500
// for an unknown example under a given code). The mock checks the header against the contract first,
// so a typo in a test gets a Bitrix24-shaped 400 that names it and lists what there is.
import { deref, operationOf, type Contract } from '../wire/contract.js';
import { WireError } from '../wire/wire-error.js';

type Response = { content?: Record<string, { examples?: Record<string, unknown> }> };

/** The `code` and `example` a `Prefer` header asks for (other preferences, such as `dynamic`, pass through). */
export function parsePrefer(header: string): { code?: string; example?: string } {
  const asked: { code?: string; example?: string } = {};
  for (const part of header.split(',')) {
    const match = /^\s*(code|example)\s*=\s*"?([^",]*?)"?\s*$/i.exec(part);
    if (match) asked[match[1]!.toLowerCase() as 'code' | 'example'] = match[2]!;
  }
  return asked;
}

const examplesOf = (contract: Contract, response: unknown): string[] =>
  Object.keys(deref<Response | undefined>(contract, response)?.content?.['application/json']?.examples ?? {});

const listed = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));

/**
 * Refuses a `Prefer` header that names a status or an example `method` does not document; Prism
 * would answer it with its own error instead of a Bitrix24 answer. Without `code`, Prism answers
 * with the lowest documented 2xx status, so the example must be one of that answer's.
 */
export function checkPrefer(contract: Contract, method: string, header: string): void {
  const operation = operationOf(contract, method);
  if (!operation) return; // an unknown method gets its own 404
  const { code, example } = parsePrefer(header);
  const statuses = Object.keys(operation.responses);
  if (code !== undefined && !Object.hasOwn(operation.responses, code)) {
    throw new WireError(
      400,
      'PREFER_UNKNOWN_CODE',
      `Prefer: code=${code.slice(0, 20)} is not an answer ${method} documents; it documents ${listed(statuses)}.`,
    );
  }
  if (example === undefined) return;
  const status = code ?? statuses.filter((s) => /^2\d\d$/.test(s)).sort()[0] ?? 'default';
  const names = examplesOf(contract, operation.responses[status]);
  if (names.includes(example)) return;
  const elsewhere = statuses.filter((s) => examplesOf(contract, operation.responses[s]).includes(example));
  throw new WireError(
    400,
    'PREFER_UNKNOWN_EXAMPLE',
    `Prefer: example=${example.slice(0, 60)} is not an example of the ${status} answer of ${method}` +
      (elsewhere.length > 0 ? ` (it belongs to code=${elsewhere.join(', code=')})` : '') +
      `; the ${status} answer's examples are ${listed(names)}.`,
  );
}
