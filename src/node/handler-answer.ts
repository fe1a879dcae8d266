// Reading a handler's HTTP/1.1 answer to an event delivery, byte by byte as it arrives: only what a
// deliverer needs (the status, where the answer ends, whether the connection may carry the next
// post). Pure: no sockets, so every framing rule has a table test (test/unit/handler-answer.test.ts).

/** Bytes of a status line and headers (or of one chunk-size or trailer line) before the answer is refused. */
export const MAX_ANSWER_HEAD_BYTES = 16 * 1024;

/** How an answer ended: its status; `reusable` when the connection may carry another post. */
export interface AnswerEnd {
  status: number;
  reusable: boolean;
  /** The idle time the handler allows a kept-alive connection (`Keep-Alive: timeout=N`), in ms. */
  keepAliveMs?: number;
}

/** An answer that is not HTTP/1.x as a deliverer reads it; the connection is dropped. */
export class MalformedAnswer extends Error {}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close';

/**
 * One answer read from its bytes: `push` each chunk, and `close` when the connection closes. Both
 * answer the end once it is known (undefined while more is needed). Past `maxBodyBytes` of body the
 * answer ends there, not reusable (the rest is never read). Informational answers (1xx) are skipped.
 */
export class AnswerReader {
  private pending: Buffer = Buffer.alloc(0);
  private state: State = 'head';
  private status = 0;
  private keepAlive = false;
  private keepAliveMs: number | undefined;
  private remaining = 0;
  private bodyBytes = 0;
  /** Bytes arrived so far: none means the handler closed a connection without a word. */
  received = 0;

  constructor(private readonly maxBodyBytes: number) {}

  push(chunk: Buffer): AnswerEnd | undefined {
    this.received += chunk.length;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      switch (this.state) {
        case 'head': {
          const end = this.pending.indexOf(HEAD_END);
          if (end < 0) return this.waitForLine();
          this.readHead(this.pending.toString('latin1', 0, end));
          this.pending = this.pending.subarray(end + HEAD_END.length);
          if (this.state === 'head') continue;
          if (this.state === 'length' && this.remaining === 0) return this.end(true);
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.remaining, this.pending.length);
          this.remaining -= take;
          this.bodyBytes += take;
          this.pending = this.pending.subarray(take);
          if (this.bodyBytes > this.maxBodyBytes) return this.end(false);
          if (this.remaining > 0) return undefined;
          if (this.state === 'length') return this.end(true);
          this.state = 'chunk-end';
          break;
        }
        case 'chunk-end': {
          if (this.pending.length < 2) return undefined;
          if (this.pending[0] !== 13 || this.pending[1] !== 10) throw new MalformedAnswer('A chunk of the answer does not end with CRLF.');
          this.pending = this.pending.subarray(2);
          this.state = 'chunk-size';
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          const end = this.pending.indexOf(CRLF);
          if (end < 0) return this.waitForLine();
          const line = this.pending.toString('latin1', 0, end);
          this.pending = this.pending.subarray(end + CRLF.length);
          if (this.state === 'trailers') {
            if (line === '') return this.end(true);
            break;
          }
          const size = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
          if (!size) throw new MalformedAnswer('A chunk size of the answer is not hexadecimal.');
          this.remaining = Number.parseInt(size[1]!, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
          break;
        }
        case 'until-close': {
          this.bodyBytes += this.pending.length;
          this.pending = this.pending.subarray(this.pending.length);
          return this.bodyBytes > this.maxBodyBytes ? this.end(false) : undefined;
        }
      }
    }
  }

  /** The connection closed: an answer framed by the close ends here; any other is cut short (undefined). */
  close(): AnswerEnd | undefined {
    return this.state === 'until-close' ? this.end(false) : undefined;
  }

  private waitForLine(): undefined {
    if (this.pending.length > MAX_ANSWER_HEAD_BYTES) throw new MalformedAnswer(`The answer's head is longer than ${MAX_ANSWER_HEAD_BYTES} bytes.`);
    return undefined;
  }

  private end(complete: boolean): AnswerEnd {
    // Bytes past the answer's end (a second answer nobody asked for) make the connection unusable.
    const reusable = complete && this.keepAlive && this.pending.length === 0;
    return { status: this.status, reusable, ...(this.keepAliveMs === undefined ? {} : { keepAliveMs: this.keepAliveMs }) };
  }

  private readHead(head: string) {
    const lines = head.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/.exec(lines[0]!);
    if (!statusLine) throw new MalformedAnswer('The answer does not start with an HTTP/1.x status line.');
    const status = Number(statusLine[2]);
    if (status < 200 && status !== 101) return; // 100 Continue, 103 Early Hints: the answer follows.
    if (status === 101) throw new MalformedAnswer('The handler switched protocols, which no delivery asks for.');
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MalformedAnswer('A header line of the answer has no name.');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    this.status = status;
    const connection = (headers.get('connection') ?? '').toLowerCase();
    this.keepAlive = statusLine[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const hinted = /\btimeout=(\d+)/i.exec(headers.get('keep-alive') ?? '');
    if (hinted) this.keepAliveMs = Number(hinted[1]) * 1000;
    const coding = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (status === 204 || status === 304) {
      this.state = 'length';
      this.remaining = 0;
    } else if (coding !== undefined) {
      // Chunked last: framed by its chunks; any other coding: framed by the close (RFC 9112, 6.3).
      if (/(^|,)\s*chunked\s*$/i.test(coding)) this.state = 'chunk-size';
      else this.toClose();
    } else if (length !== undefined) {
      const values = new Set(length.split(',').map((value) => value.trim()));
      const only = [...values][0]!;
      if (values.size !== 1 || !/^\d{1,15}$/.test(only)) throw new MalformedAnswer('The answer has an invalid Content-Length.');
      this.state = 'length';
      this.remaining = Number(only);
    } else this.toClose();
  }

  private toClose() {
    this.state = 'until-close';
    this.keepAlive = false;
  }
}
