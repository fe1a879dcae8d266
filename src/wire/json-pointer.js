// Plain JavaScript with its types in json-pointer.d.ts, so that scripts/generate.mjs (which runs before
// anything is compiled) and scripts/docs.mjs read the contract with the same code as src/ and test/.
// scripts/build.mjs copies both files to dist/lib, as it does generated/validators.js.

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys of a local JSON pointer (`#/components/schemas/A~1B` → `['components', 'schemas', 'A/B']`); undefined when not local. */
export function pointerKeys(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Follows a local JSON pointer such as `#/components/schemas/LeadId` inside `document`; undefined when it leads nowhere. */
export function resolvePointer(document, ref) {
  const keys = pointerKeys(ref);
  if (!keys) return undefined;
  let at = document;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

/** `node` with its `$ref` chain followed (at most 32 hops, so a cycle cannot hang). */
export function deref(document, node) {
  let at = node;
  for (let hop = 0; hop < 32 && typeof at === 'object' && at !== null && typeof at.$ref === 'string'; hop++) {
    at = resolvePointer(document, at.$ref);
  }
  return at;
}
