// How a portal finds references to earlier commands inside a `batch` command's parameter values.
// The batch page documents `$result[id][field]`; the portal's rest module (CRestUtil, read from its
// published source) goes further, and this module follows it, so the client knows what it must
// never send as plain text and the sandbox substitutes what a portal substitutes:
// - after the command string is decoded, every parameter value is searched, in any letter case, for
//   `$` and a part of the batch answer so far: `result`, `next`, `total`, `time` or `error`;
// - the reference runs from the `$` to the next white space, and the `[step]`s inside that run (each
//   non-empty) walk into that part: `$result[g][0][CONTACT_ID]`; a run without a step is left alone;
// - the whole run is replaced, so `$result[g][0][ID],` loses its comma as well.
// https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html

/** The parts of a batch answer a reference may name (`$result[…]`, `$next[…]`, …). */
export const REFERENCE_PARTS = ['result', 'next', 'total', 'time', 'error'] as const;

/** A part of the batch answer a reference names. */
export type ReferencePart = (typeof REFERENCE_PARTS)[number];

/** `$part` and its run up to PCRE's white space (`\s` without Unicode); the parts as {@link REFERENCE_PARTS}. */
const RUN = /\$(result|next|total|time|error)([^ \t\n\v\f\r]*)/gi;
const STEP = /\[([^\]]+)\]/g;

/**
 * Whether a value holds a reference a portal resolves (the same rule as {@link referencesIn}, as one
 * test): `$part`, then within the run up to white space a `[step]` of characters other than `]`.
 */
export const BATCH_REFERENCE = /\$(?:result|next|total|time|error)[^ \t\n\v\f\r]*?\[[^\] \t\n\v\f\r]+\]/i;

/** One reference found in a value: the text it replaces, the part it names and its steps. */
export interface BatchReferenceMatch {
  /** The whole run the portal replaces, from `$` to the next white space. */
  readonly text: string;
  /** Where the run starts in the value. */
  readonly index: number;
  readonly part: ReferencePart;
  /** The `[step]`s of the run, in order: the command id first. */
  readonly path: readonly string[];
}

/** Every reference a portal would resolve in `value`, in order; none for plain text. */
export function referencesIn(value: string): BatchReferenceMatch[] {
  if (!value.includes('$')) return [];
  const found: BatchReferenceMatch[] = [];
  for (const match of value.matchAll(RUN)) {
    const path = [...match[2]!.matchAll(STEP)].map((step) => step[1]!);
    if (path.length > 0) found.push({ text: match[0], index: match.index, part: match[1]!.toLowerCase() as ReferencePart, path });
  }
  return found;
}
