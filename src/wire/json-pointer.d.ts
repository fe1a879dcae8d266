/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown>;
/** The keys of a local JSON pointer (`#/components/schemas/A~1B` → `['components', 'schemas', 'A/B']`); undefined when not local. */
export function pointerKeys(ref: string): string[] | undefined;
/** Follows a local JSON pointer such as `#/components/schemas/LeadId` inside `document`; undefined when it leads nowhere. */
export function resolvePointer(document: unknown, ref: string): unknown;
/** `node` with its `$ref` chain followed (at most 32 hops, so a cycle cannot hang). */
export function deref<T = unknown>(document: unknown, node: unknown): T;
