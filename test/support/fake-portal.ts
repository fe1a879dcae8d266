// A fake Bitrix24 portal on loopback for the verify tests. It answers with the contract's own
// examples where a case should conform, and with deliberate contract violations where it should not:
//   items.get id 1 → conforming (example twoContacts)      id 2 → IS_PRIMARY: true (a JSON boolean)
//   items.get id 3 → no `time`                            id 4 → `result` as a string
//   items.get id 5 → a 500 HTML error page                id 6 → a 302 to another address
//   items.get id 7 → a 302 whose Location is no URL       id 8 → a body cut mid-way
//   items.get id 0 → 400 NOT_FOUND (a conforming error)
// crm.lead.add / crm.contact.add / the link methods / crm.*.delete keep state, so --write can run;
// `failOn` makes one method answer with an HTML 500 page.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveRef } from './helpers.js';

export const WEBHOOK_CODE = 's3cr3t-hook-code-XYZ';
export const ACCESS_TOKEN = 'oauth-t0ken-ABC-987';

const example = (name: string) => structuredClone(resolveRef({ $ref: `#/components/examples/${name}` }).value);
const time = () => example('twoContacts').time;
const HTML_PAGE = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';

export interface Call {
  method: string;
  params: any;
}

export interface FakePortal {
  url: string;
  calls: Call[];
  /** Ids of the records the portal had before the run; verify must never touch them. */
  existing: { leads: number[]; contacts: number[] };
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return Object.fromEntries(new URLSearchParams(text)); // flat form bodies are enough here
  }
}

export async function startFakePortal({ failOn, auth = 'webhook' }: { failOn?: string; auth?: 'webhook' | 'oauth' } = {}): Promise<FakePortal> {
  const calls: Call[] = [];
  const leads = new Map<number, { CONTACT_ID: number; SORT: number; ROLE_ID: number; IS_PRIMARY: 'Y' | 'N' }[]>([[1, []]]);
  const contacts = new Set<number>([1010, 1011]);
  let nextId = 500;

  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const ok = (result: unknown) => send(200, { result, time: time() });
    const match = (auth === 'webhook' ? /^\/rest\/1\/([^/]+)\/([a-z.]+?)(?:\.json)?$/ : /^\/rest\/()([a-z.]+?)(?:\.json)?$/).exec(req.url ?? '');
    const params = await readJson(req);
    if (!match || (auth === 'webhook' ? match[1] !== WEBHOOK_CODE : params.auth !== ACCESS_TOKEN)) {
      return send(401, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    }
    const method = match[2]!;
    const { auth: _auth, ...rest } = params;
    calls.push({ method, params: rest });
    if (method === failOn) return send(500, HTML_PAGE, 'text/html');
    const id = Number(params.id);
    const links = leads.get(id);
    switch (method) {
      case 'crm.lead.contact.fields':
        return send(200, example('linkFields'));
      case 'crm.lead.contact.items.get':
        if (id === 2) return send(200, { result: [{ CONTACT_ID: 1010, SORT: 10, ROLE_ID: 0, IS_PRIMARY: true }], time: time() });
        if (id === 3) return send(200, { result: [] });
        if (id === 4) return send(200, { result: '1010', time: time() });
        if (id === 5) return send(500, HTML_PAGE, 'text/html');
        if (id === 6) {
          res.writeHead(302, { location: `https://moved.example.com${req.url}` }); // the portal changed its address
          return res.end();
        }
        if (id === 7) {
          res.writeHead(302, { location: 'http://[unclosed' }); // not a URL at all
          return res.end();
        }
        if (id === 8) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"result":[');
          return void setTimeout(() => res.destroy(), 20); // the portal cuts its answer mid-way
        }
        if (!links) return send(400, example('leadNotFound'));
        return ok(links);
      case 'crm.lead.add':
        leads.set(nextId, []);
        return ok(nextId++);
      case 'crm.contact.add':
        contacts.add(nextId);
        return ok(nextId++);
      case 'crm.lead.contact.add': {
        if (!links || !contacts.has(params.fields?.CONTACT_ID)) return send(400, example('leadNotFound'));
        const primary = params.fields.IS_PRIMARY === 'Y' || links.length === 0;
        if (primary) links.forEach((link) => (link.IS_PRIMARY = 'N'));
        links.push({ CONTACT_ID: params.fields.CONTACT_ID, SORT: params.fields.SORT ?? 10, ROLE_ID: 0, IS_PRIMARY: primary ? 'Y' : 'N' });
        return ok(true);
      }
      case 'crm.lead.contact.items.set':
        if (!links) return send(400, example('leadNotFound'));
        leads.set(
          id,
          params.items.map((item: any, i: number) => ({
            CONTACT_ID: item.CONTACT_ID,
            SORT: item.SORT ?? (i + 1) * 10,
            ROLE_ID: 0,
            IS_PRIMARY: item.IS_PRIMARY ?? 'N',
          })),
        );
        return ok(true);
      case 'crm.lead.contact.delete':
        if (!links) return send(400, example('leadNotFound'));
        leads.set(
          id,
          links.filter((link) => link.CONTACT_ID !== params.fields?.CONTACT_ID),
        );
        return ok(true);
      case 'crm.lead.contact.items.delete':
        if (!links) return send(400, example('leadNotFound'));
        leads.set(id, []);
        return ok(true);
      case 'crm.lead.delete':
        return leads.delete(id) ? ok(true) : send(400, { error: '', error_description: 'Not found' });
      case 'crm.contact.delete':
        return contacts.delete(id) ? ok(true) : send(400, { error: '', error_description: 'Not found' });
      default:
        return send(404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    existing: { leads: [1], contacts: [1010, 1011] },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
