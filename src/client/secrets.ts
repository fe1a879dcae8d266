const MASK = '***';

/** `encodeURIComponent` that never throws: a lone surrogate has no UTF-8 form, so it has no encoded form either. */
function percentEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

/** PHP's `json_encode` defaults, which Bitrix24 answers with, on top of standard JSON escaping: `/` as `\/`, non-ASCII as `\uXXXX`. */
function phpJsonEscaped(jsonEscaped: string): string {
  return jsonEscaped.replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The spellings a secret may take on its way back into an error: as it is, percent-encoded (URL
 * paths, query strings, and once more inside a `batch` command), form-encoded (`+` for a space),
 * and escaped inside JSON text (standard and PHP style).
 */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set([secret, json, phpJsonEscaped(json)]);
  for (const form of [...forms]) {
    const encoded = percentEncoded(form);
    forms
      .add(encoded)
      .add(encoded.replace(/%20/g, '+'))
      .add(new URLSearchParams({ s: form }).toString().slice(2))
      .add(percentEncoded(encoded));
  }
  return [...forms];
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/**
 * Replaces every occurrence of each secret in `text` with `***`, in each of its {@link spellings}.
 * Matching ignores case, since percent-encoding may come back with lowercase hex digits and host
 * names are lowercased by URL parsing; a secret is long and random, so this masks nothing else.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const key = secrets.join('\n');
  if (key !== cached.key) cached = { key, pattern: maskPattern(secrets) };
  return cached.pattern ? text.replace(cached.pattern, MASK) : text;
}

// The last pattern built: a bulk run may mask thousands of command errors against the same secrets.
let cached: { key: string; pattern: RegExp | undefined } = { key: '', pattern: undefined };

function maskPattern(secrets: readonly string[]): RegExp | undefined {
  // Shorter than 4 characters cannot be a real credential; masking it would mangle the text.
  const forms = secrets.filter((secret) => secret.length >= 4).flatMap(spellings);
  if (forms.length === 0) return undefined;
  // Longest first, so a longer spelling is masked whole rather than around a shorter one inside it.
  return new RegExp(
    [...new Set(forms)]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'gi',
  );
}
