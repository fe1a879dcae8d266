import { WireError } from './wire-error.js';

/** A body as a stream of bytes: a WHATWG `ReadableStream` or a Node request (an async iterable). */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * Collects a body's bytes as UTF-8 text while counting them: `push` answers false once the total
 * passes `maxBytes`, and the text is then never built. Used for web streams and async iterables
 * (below); the Node HTTP front counts its bytes as they arrive, since it forwards them as bytes too.
 */
export class CappedText {
  private readonly decoder = new TextDecoder();
  private text = '';
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; false when the body is now over the cap (stop reading). */
  push(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength;
    if (this.size > this.maxBytes) return false;
    this.text += this.decoder.decode(chunk, { stream: true });
    return true;
  }

  /** Whether a declared length already passes the cap. */
  refuses(declaredLength: number | undefined): boolean {
    return declaredLength !== undefined && declaredLength > this.maxBytes;
  }

  finish(): string {
    return this.text + this.decoder.decode();
  }
}

/**
 * Reads a web stream as UTF-8 text, counting bytes as they arrive (after any content decoding `fetch`
 * did). Past `maxBytes`, or when `declaredLength` already says so, it stops reading, cancels the
 * stream (which closes a connection) and returns `undefined` instead of holding more. The client's
 * reader for its answers, in browsers and Node: it reads with a reader, cheaper than async iteration.
 * `onRead` gets the function that cancels the read, for a caller to stop one that stalls.
 */
export async function readCappedStream(
  stream: ReadableStream<Uint8Array> | null | undefined,
  maxBytes: number,
  declaredLength?: number,
  onRead?: (cancel: () => Promise<unknown>) => void,
): Promise<string | undefined> {
  // No declared length (undefined) compares as never over.
  if (declaredLength! > maxBytes) {
    await stream?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!stream) return '';
  // Counted here rather than through CappedText: this is the one reader in the client's browser bundle.
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  const cancel = () => reader.cancel().catch(() => undefined); // closes the connection
  onRead?.(cancel);
  let text = '';
  let size = 0;
  // The reader keeps its lock: whether read to its end, cancelled or errored, the stream has nothing left to give.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    if ((size += value.byteLength) > maxBytes) {
      await cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** {@link readCappedStream} for any {@link ByteSource}: a Node request (an async iterable) as well. */
export async function readCappedText(source: ByteSource | null | undefined, maxBytes: number, declaredLength?: number): Promise<string | undefined> {
  if (!source || 'getReader' in source) return readCappedStream(source, maxBytes, declaredLength);
  const text = new CappedText(maxBytes);
  if (text.refuses(declaredLength)) return undefined;
  for await (const chunk of source) {
    if (!text.push(chunk)) return undefined; // leaving the loop destroys the stream
  }
  return text.finish();
}

export const tooLarge = (maxBytes: number) => new WireError(413, 'REQUEST_ENTITY_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`);

/** {@link readCappedText} for request bodies: over the cap is a 413 {@link WireError}, refused before buffering. */
export async function readBodyText(source: ByteSource | null | undefined, maxBytes: number, declaredLength?: number): Promise<string> {
  const text = await readCappedText(source, maxBytes, declaredLength);
  if (text === undefined) throw tooLarge(maxBytes);
  return text;
}
