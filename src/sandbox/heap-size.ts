/** A character past Latin-1: V8 then stores the whole string at two bytes a character, else at one. */
const TWO_BYTE = /[\u0100-\uffff]/;

/**
 * What V8 takes, at most, for plain data as a record stores it, in bytes: a string its header and one
 * or two bytes a character, a number a heap number, an array a header and a slot per item, an object
 * a header and a property slot per key (its key string counted too). Counted without a limit, in one
 * pass. JSON size is no measure of memory: `[{},{},…]` is 3 bytes of JSON and about 64 bytes of heap
 * an item, so the stores are capped by this count (`maxPortalBytes`, `maxServerBytes`).
 */
export function heapSize(value: unknown): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') size += stringHeap(node);
    else if (typeof node === 'number' || typeof node === 'bigint') size += 16;
    else if (Array.isArray(node)) {
      size += 48 + 8 * node.length;
      for (const item of node) stack.push(item);
    } else if (typeof node === 'object' && node !== null) {
      const keys = Object.keys(node);
      size += 64 + 24 * keys.length;
      for (const key of keys) {
        size += stringHeap(key);
        stack.push((node as Record<string, unknown>)[key]);
      }
    } else size += 8;
  }
  return size;
}

const stringHeap = (text: string) => 16 + (TWO_BYTE.test(text) ? 2 * text.length : text.length);
