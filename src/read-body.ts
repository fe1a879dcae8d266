/** The default `maxResponseBytes`: 8 MiB, see the option's documentation for the reasoning. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const decoder = /* @__PURE__ */ new TextDecoder();

/**
 * Reads an answer's body as text, counting bytes as they arrive: past `maxBytes` it cancels the
 * stream (which closes the connection) and returns `undefined` instead of holding more. The count is
 * of the bytes `fetch` hands over, after any `gzip` decoding, so a small compressed answer that
 * expands without end is stopped too. A `Content-Length` above the cap fails before any reading.
 * Web streams only, so it runs the same in browsers and Node.
 */
export async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!response.body) return response.text();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return decoder.decode(whole);
}
