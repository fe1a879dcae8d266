import { WireError } from './wire-error.js';

/** A body as a stream of bytes: a WHATWG `ReadableStream` or a Node request (an async iterable). */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!(Symbol.asyncIterator in source)) {
    // Browsers without async iteration of web streams: read them with a reader.
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      // Left early (over the cap): cancel, which closes the connection, as async iteration does.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array>;
}

/**
 * Reads a body as UTF-8 text, counting bytes as they arrive (after any content decoding `fetch` did).
 * Past `maxBytes`, or when `declaredLength` already says so, it stops reading, cancels the source
 * (which closes a connection) and returns `undefined` instead of holding more. Runs the same on web
 * streams and Node streams, in browsers and Node. One implementation for requests and answers.
 */
export async function readCappedText(source: ByteSource | null | undefined, maxBytes: number, declaredLength?: number): Promise<string | undefined> {
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    if (source && 'cancel' in source) await source.cancel().catch(() => undefined);
    return undefined;
  }
  if (!source) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  const chunks = chunksOf(source);
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined; // leaving the loop ends the iteration: the source is cancelled or destroyed
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

export const tooLarge = (maxBytes: number) => new WireError(413, 'REQUEST_ENTITY_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`);

/** {@link readCappedText} for request bodies: over the cap is a 413 {@link WireError}, refused before buffering. */
export async function readBodyText(source: ByteSource | null | undefined, maxBytes: number, declaredLength?: number): Promise<string> {
  const text = await readCappedText(source, maxBytes, declaredLength);
  if (text === undefined) throw tooLarge(maxBytes);
  return text;
}
