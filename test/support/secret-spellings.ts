/** The spellings a server (or a proxy, or a runtime error) may echo a secret in; every one must be masked. */
export const spellings: Array<[string, (secret: string) => string]> = [
  ['as it is', (s) => s],
  ['percent-encoded', (s) => encodeURIComponent(s)],
  ['percent-encoded, lowercase hex', (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
  ['form-encoded (+ for a space)', (s) => new URLSearchParams({ s }).toString().slice(2)],
  ['percent-encoded twice (inside a batch command)', (s) => encodeURIComponent(encodeURIComponent(s))],
  ['JSON-escaped', (s) => JSON.stringify(s).slice(1, -1)],
  [
    'JSON-escaped as PHP does (\\/ and \\uXXXX)',
    (s) =>
      JSON.stringify(s)
        .slice(1, -1)
        .replace(/\//g, '\\/')
        .replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  ],
];

/** Every spelling of `secret` found in `text`, by name (empty when all are masked). */
export function leaks(text: string, secret: string): string[] {
  return spellings.filter(([, spell]) => text.includes(spell(secret))).map(([name]) => name);
}
