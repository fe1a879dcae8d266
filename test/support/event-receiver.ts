// A real local HTTP handler for event deliveries: it records every post and lets a test wait for the
// one it expects (a promise per expectation, resolved when the post arrives; never a timer).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  contentType: string;
  /** The raw form body. */
  body: string;
  /** Its fields, bracket keys kept as they are (`data[FIELDS][ID]`). */
  form: Record<string, string>;
}

type Waiter = { match: (post: ReceivedPost) => boolean; resolve: (post: ReceivedPost) => void };

export interface EventReceiver {
  readonly url: string;
  readonly posts: ReceivedPost[];
  /** Resolves with the first post (already received or still to come) that matches. */
  next(match: (post: ReceivedPost) => boolean): Promise<ReceivedPost>;
  /** Paths under which the receiver never answers (a hung handler); answered when the receiver closes. */
  hang(path: string): void;
  close(): Promise<void>;
}

export async function startEventReceiver(): Promise<EventReceiver> {
  const posts: ReceivedPost[] = [];
  const waiters: Waiter[] = [];
  const hanging = new Set<string>();
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const post: ReceivedPost = {
        path: req.url ?? '/',
        contentType: req.headers['content-type'] ?? '',
        body,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      posts.push(post);
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(post)) waiter.resolve(post);
        else waiters.push(waiter);
      }
      if (hanging.has(post.path)) held.push(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    next(match) {
      const found = posts.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    hang(path) {
      hanging.add(path);
    },
    close() {
      for (const res of held.splice(0)) res.writeHead(200).end();
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
