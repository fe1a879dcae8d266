const MASK = '***';

/**
 * Replaces every occurrence of each secret in `text` with `***`, including its percent-encoded
 * form, since secrets travel inside URLs and form bodies.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue; // too short to be a real credential; masking it would mangle text
    for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join(MASK);
  }
  return result;
}
