/** Text JSON writes as it is: printable ASCII other than `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** UTF-8 bytes of `JSON.stringify(text)`: quotes, escapes (`\n` is 2, `\u0001` 6, a lone surrogate 6) and multi-byte characters counted. */
export function jsonStringBytes(text: string): number {
  if (PLAIN.test(text)) return text.length + 2;
  let size = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) size += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) size += 2;
    else if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size += 4;
        i++;
      } else size += 6;
    } else if (c >= 0xdc00 && c <= 0xdfff) size += 6;
    else size += 3;
  }
  return size;
}

/** What JSON leaves out of an object and writes as `null` in an array. */
const isSkipped = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * The UTF-8 bytes `JSON.stringify(value)` would write, counted without building the text (exact for
 * plain data; `toJSON` is honoured; never less than the real length). Linear in the value, and it
 * stops as soon as the count passes `limit` (then returning more than `limit`), so measuring a huge
 * value costs no more than `limit` bytes of it. The count is also a bound on the string's length in
 * characters, which is what V8's string limit counts.
 */
export function jsonSize(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= limit) {
    let node = stack.pop();
    if (typeof node === 'object' && node !== null && typeof (node as { toJSON?: unknown }).toJSON === 'function') {
      node = (node as { toJSON: () => unknown }).toJSON();
    }
    if (typeof node === 'string') size += jsonStringBytes(node);
    else if (typeof node === 'number') size += Number.isFinite(node) ? String(node).length : 4;
    else if (typeof node === 'boolean') size += node ? 4 : 5;
    else if (typeof node === 'bigint')
      size += String(node).length; // JSON.stringify throws on it; counted as its digits
    else if (node === null) size += 4;
    else if (Array.isArray(node)) {
      size += 2 + Math.max(0, node.length - 1);
      if (size > limit) break;
      for (let i = node.length - 1; i >= 0; i--) stack.push(isSkipped(node[i]) ? null : node[i]);
    } else if (typeof node === 'object') {
      size += 1; // `{`, and per member a comma or the closing `}`
      let members = 0;
      for (const key of Object.keys(node)) {
        const item = (node as Record<string, unknown>)[key];
        if (isSkipped(item)) continue;
        members++;
        size += jsonStringBytes(key) + 2; // `"key":` and the comma or `}` after the value
        if (size > limit) break;
        stack.push(item);
      }
      if (members === 0) size += 1;
    }
  }
  return size;
}
