// What an app's credentials look like in traffic the proxy sees but holds no secret for: the app's
// own webhook code or OAuth token. A portal may echo a request anywhere (an HTML error page, a PHP
// dump, JSON inside JSON), so the `auth` value is found by its name in each notation, not by its value.

/** Characters that end a value in a URL, a form or an HTML attribute. */
const END = String.raw`&\s"'<>\\`;

/** A quote as it may be written: plain, escaped once or more, or as an HTML entity. */
const QUOTE = String.raw`(?:\\*["']|&quot;|&#0?3[49];|&apos;)`;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // A webhook code in a path, also with PHP's escaped slashes: /rest/1/{code}, \/rest\/1\/{code}
  [new RegExp(String.raw`(\\?\/rest\\?\/\d+\\?\/)[^/?#${END}]+`, 'g'), '$1***'],
  // auth=… in a query or form (after ?, &, &amp;, a quote, a space or at the start), and auth%3D…
  // after %3F or %26 inside a percent-encoded batch command, where %26 ends it.
  [new RegExp(String.raw`(?:(?<=%26|%3F)|(?<![\w%]))(auth(?:=|%3D))(?:(?!%26)[^${END}])+`, 'gi'), '$1***'],
  // "auth":"…", 'auth' => '…', and the same behind escaped quotes (JSON inside JSON) or HTML entities.
  [new RegExp(String.raw`(${QUOTE}auth${QUOTE}\s*(?::|=>)\s*${QUOTE})[^"'\\&<\s]*`, 'gi'), '$1***'],
  // PHP's print_r: [auth] => …
  [/(\[auth\]\s*=>\s*)[^\s<]+/gi, '$1***'],
];

/** Replaces every `auth` value and webhook code found by its notation with `***`. */
export function maskAuthValues(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
