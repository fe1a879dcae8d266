import bundled from '../../generated/openapi.bundle.json' with { type: 'json' };
import { deref, resolvePointer, type Contract } from '../wire/contract.js';
import { WireError } from '../wire/wire-error.js';

/** The bundled contract the sandbox serves. */
export const contract = bundled as unknown as Contract;

/** Every named example of the contract, by name (`leadNotFound`, `expiredToken`, …). */
const examples = (contract.components?.examples ?? {}) as Record<string, { value?: unknown }>;

/** The HTTP status under which the contract documents each named error example. */
const errorStatuses: ReadonlyMap<string, number> = (() => {
  const statuses = new Map<string, number>();
  for (const item of Object.values(contract.paths)) {
    for (const [status, response] of Object.entries(item?.post?.responses ?? {})) {
      if (Number(status) < 400) continue;
      const content = deref<{ content?: Record<string, { examples?: Record<string, { $ref?: string }> }> }>(contract, response)?.content;
      for (const [name, example] of Object.entries(content?.['application/json']?.examples ?? {})) {
        const key = example.$ref ? example.$ref.split('/').pop()! : name;
        if (!statuses.has(key)) statuses.set(key, Number(status));
      }
    }
  }
  return statuses;
})();

/** Names of the error examples the contract documents: what `fail()` and faults accept. */
export const documentedErrorNames = (): string[] => [...errorStatuses.keys()].sort();

/** The documented error example `name` as a throwable answer, e.g. `documentedError('leadNotFound')`. */
export function documentedError(name: string): WireError {
  const status = errorStatuses.get(name);
  const body = examples[name]?.value as { error?: string; error_description?: string } | undefined;
  if (status === undefined || typeof body?.error !== 'string') {
    throw new TypeError(`Unknown documented error "${name}"; known: ${documentedErrorNames().join(', ')}`);
  }
  return new WireError(status, body.error, body.error_description ?? '');
}

/** The `result` of a named example (for data the documentation gives, such as the link fields). */
export function exampleResult(name: string): unknown {
  return (resolvePointer(contract, `#/components/examples/${name}`) as { value?: { result?: unknown } } | undefined)?.value?.result;
}
