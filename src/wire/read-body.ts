import { WireError } from './wire-error.js';

/** A body as a stream of bytes: a WHATWG `ReadableStream` or a Node request (an async iterable). */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!(Symbol.asyncIterator in source)) {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array>;
}

export const tooLarge = (maxBytes: number) =>
  new WireError(413, 'REQUEST_ENTITY_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`);

/**
 * Reads a body as UTF-8 text, counting bytes as they arrive: a body over `maxBytes` (or one that
 * declares more in `content-length`) is refused with a 413 {@link WireError} before it is buffered.
 */
export async function readBodyText(source: ByteSource | null | undefined, maxBytes: number, declaredLength?: number): Promise<string> {
  if (declaredLength !== undefined && declaredLength > maxBytes) throw tooLarge(maxBytes);
  if (!source) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of chunksOf(source)) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
