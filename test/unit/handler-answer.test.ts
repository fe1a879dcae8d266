// Reading a handler's answer to a delivery (src/node/handler-answer.ts): where it ends, its status,
// and whether the connection may carry the next post, for every framing HTTP/1.1 allows.
import { describe, expect, it } from 'vitest';
import { type AnswerEnd, AnswerReader, MalformedAnswer } from '../../src/node/handler-answer.js';

/** Feeds the answer in the given pieces; `closed` then reports the connection's close. */
function read(pieces: string[], { closed = false, cap = 64 } = {}): AnswerEnd | undefined {
  const reader = new AnswerReader(cap);
  for (const piece of pieces) {
    const end = reader.push(Buffer.from(piece, 'latin1'));
    if (end) return end;
  }
  return closed ? reader.close() : undefined;
}

const OK = 'HTTP/1.1 200 OK\r\n';

describe('AnswerReader', () => {
  it.each([
    ['Content-Length', [`${OK}Content-Length: 2\r\n\r\nok`], { status: 200, reusable: true }],
    ['Content-Length in pieces, split inside the head', ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 2\r\n\r', '\no', 'k'], { status: 200, reusable: true }],
    ['no body (Content-Length: 0)', [`HTTP/1.1 204 No Content\r\n\r\n`], { status: 204, reusable: true }],
    [
      'chunked, with a chunk extension and a trailer',
      [`${OK}Transfer-Encoding: chunked\r\n\r\n2;x=y\r\nok\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n`],
      { status: 200, reusable: true },
    ],
    ['chunked, one byte at a time', [...`${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`], { status: 200, reusable: true }],
    ['Connection: close', [`${OK}Connection: close\r\nContent-Length: 0\r\n\r\n`], { status: 200, reusable: false }],
    ['HTTP/1.0 without keep-alive', ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'], { status: 200, reusable: false }],
    ['HTTP/1.0 with keep-alive', ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'], { status: 200, reusable: true }],
    ['a Keep-Alive timeout', [`${OK}Keep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n`], { status: 200, reusable: true, keepAliveMs: 5000 }],
    ['100 Continue before the answer', ['HTTP/1.1 100 Continue\r\n\r\n', `${OK}Content-Length: 0\r\n\r\n`], { status: 200, reusable: true }],
    ['a redirect (read, never followed)', ['HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/\r\nContent-Length: 0\r\n\r\n'], { status: 302, reusable: true }],
    ['bytes past the end', [`${OK}Content-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n`], { status: 200, reusable: false }],
    ['a body over the cap: ended there', [`${OK}Content-Length: 1000\r\n\r\n${'x'.repeat(100)}`], { status: 200, reusable: false }],
  ])('%s', (_case, pieces, end) => {
    expect(read(pieces)).toEqual(end);
  });

  it.each([
    ['framed by the close', [`${OK}\r\nok`], true, { status: 200, reusable: false }],
    ['cut short inside its body', [`${OK}Content-Length: 10\r\n\r\nok`], true, undefined],
    ['cut short inside its head', ['HTTP/1.1 200'], true, undefined],
    ['still arriving', [`${OK}Content-Length: 10\r\n\r\nok`], false, undefined],
  ])('an answer %s', (_case, pieces, closed, end) => {
    expect(read(pieces, { closed })).toEqual(end);
  });

  it.each([
    ['not HTTP', ['SSH-2.0-OpenSSH\r\n\r\n'], /status line/],
    ['a chunk size that is not hexadecimal', [`${OK}Transfer-Encoding: chunked\r\n\r\nzz\r\n`], /hexadecimal/],
    ['a chunk without its CRLF', [`${OK}Transfer-Encoding: chunked\r\n\r\n2\r\nokXX`], /CRLF/],
    ['two different Content-Lengths', [`${OK}Content-Length: 2\r\nContent-Length: 3\r\n\r\n`], /Content-Length/],
    ['a negative Content-Length', [`${OK}Content-Length: -1\r\n\r\n`], /Content-Length/],
    ['a head past its cap', [`${OK}X: ${'a'.repeat(17 * 1024)}`], /longer than/],
    ['a protocol switch', ['HTTP/1.1 101 Switching Protocols\r\n\r\n'], /switched protocols/],
  ])('refuses %s', (_case, pieces, message) => {
    expect(() => read(pieces)).toThrow(MalformedAnswer);
    expect(() => read(pieces)).toThrow(message);
  });
});
