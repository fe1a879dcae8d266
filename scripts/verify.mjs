#!/usr/bin/env node
// `npm run verify`: checks a real Bitrix24 portal against the contract (generated/openapi.bundle.json).
//
//   npm run verify -- --lead 123          read-only: crm.lead.contact.fields and items.get of lead 123
//   npm run verify -- --write             also creates a temporary lead and two contacts, exercises add,
//                                         items.get, items.set, delete, items.delete, and deletes them
//   npm run verify -- --proxy --port 4020 a local proxy in front of the portal: point your own app at
//                                         http://127.0.0.1:4020 and read the violations it reports
//
// Credentials come from the environment: B24_WEBHOOK_URL (https://{portal}/rest/{userId}/{code}/), or
// B24_PORTAL + B24_ACCESS_TOKEN for an OAuth app; B24_LEAD_ID may replace --lead. Secrets never reach
// the report: the webhook code, the token and any `auth` value are masked. Plain http:// portals are
// refused unless --allow-http is given (for the tests' fake portal on loopback).
// Exit codes: 0 every answer conforms, 1 a violation (or a failed call), 2 missing or bad settings.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { coerceToSchema, decodeBracketForm, parseMethodUrl } from './mock.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const contract = JSON.parse(readFileSync(join(root, 'generated', 'openapi.bundle.json'), 'utf8'));
const addFormats = addFormatsModule.default ?? addFormatsModule;
const USER_AGENT = 'b24-lead-contact-verify/0.1';

export class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Settings and secrets

/** Reads the connection from the environment: `{ kind, origin, base, token?, secrets }`, or null. */
export function connectionFromEnv(env = process.env, { allowHttp = false } = {}) {
  const check = (url, name) => {
    if (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) return;
    throw new UsageError(`${name} must be an https:// address (plain http:// only with --allow-http, for local fakes).`);
  };
  if (env.B24_WEBHOOK_URL) {
    let url;
    try {
      url = new URL(env.B24_WEBHOOK_URL);
    } catch {
      throw new UsageError('B24_WEBHOOK_URL is not a URL; expected https://{portal}/rest/{userId}/{webhookCode}/');
    }
    check(url, 'B24_WEBHOOK_URL');
    const match = /^\/rest\/(\d+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) throw new UsageError('B24_WEBHOOK_URL must look like https://{portal}/rest/{userId}/{webhookCode}/');
    return { kind: 'webhook', origin: url.origin, base: `${url.origin}/rest/${match[1]}/${match[2]}/`, secrets: [match[2]] };
  }
  if (env.B24_PORTAL && env.B24_ACCESS_TOKEN) {
    const url = new URL(/^https?:\/\//.test(env.B24_PORTAL) ? env.B24_PORTAL : `https://${env.B24_PORTAL}`);
    check(url, 'B24_PORTAL');
    return { kind: 'oauth', origin: url.origin, base: `${url.origin}/rest/`, token: env.B24_ACCESS_TOKEN, secrets: [env.B24_ACCESS_TOKEN] };
  }
  return null;
}

/**
 * Replaces every secret in a text with `***`; with `patterns` (the default) also any webhook code in a
 * `/rest/{userId}/{code}` path and any `auth` value, so secrets of a proxied app are masked too.
 */
export function mask(text, secrets = [], patterns = true) {
  let out = String(text);
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  if (!patterns) return out;
  return out
    .replace(/(\/rest\/\d+\/)[^/\s"'?#]+/g, '$1***')
    .replace(/([?&]auth=)[^&\s"']+/g, '$1***')
    .replace(/("auth"\s*:\s*")[^"]*/g, '$1***');
}

// ---------------------------------------------------------------------------------------------
// Contract checks

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(contract, 'contract');
const pointer = (...parts) => `contract#/${parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
const deref = (node) => {
  let at = node;
  while (at?.$ref) at = at.$ref.slice(2).split('/').reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], contract);
  return at;
};
/** `$ref` of a response object, as a pointer to its JSON schema. */
function responseSchemaPointer(method, status) {
  const responses = contract.paths[`/${method}`].post.responses;
  const key = responses[status] ? String(status) : responses.default ? 'default' : null;
  if (!key) return null;
  const response = responses[key];
  const base = response.$ref ? response.$ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) : ['paths', `/${method}`, 'post', 'responses', key];
  return deref(response)?.content?.['application/json']?.schema ? pointer(...base, 'content', 'application/json', 'schema') : null;
}
const jsonPath = (instancePath) => `$${instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('')}`;
function ajvViolations(validate) {
  const seen = new Map(); // the same mistake is often reported once per schema branch (allOf, anyOf)
  for (const e of validate.errors ?? []) {
    const detail = e.params?.allowedValues ? ` (${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})` : e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : '';
    const violation = { path: jsonPath(e.instancePath), message: `${e.message}${detail}` };
    seen.set(`${violation.path} ${violation.message}`, violation);
  }
  return [...seen.values()];
}

/** Checks one answer against the contract: status, content type, JSON body and its schema. */
export function checkResponse(method, { status, contentType = '', body, location }) {
  if (!contract.paths[`/${method}`]) return [{ path: '(method)', message: `${method} is not in the contract` }];
  const schema = responseSchemaPointer(method, status);
  if (!contract.paths[`/${method}`].post.responses[String(status)]) {
    // A 3xx means the portal moved (Bitrix24 redirects an old address); update the portal URL.
    const moved = status >= 300 && status < 400 && location ? `; redirected to ${new URL(location, 'https://portal.invalid').host}` : '';
    return [{ path: '(status)', message: `HTTP ${status} is not a documented answer of ${method}${moved}` }];
  }
  const violations = [];
  if (!/^application\/json\b/i.test(contentType)) violations.push({ path: '(header content-type)', message: `expected application/json, got ${contentType || 'none'}` });
  let data;
  try {
    data = JSON.parse(body);
  } catch {
    violations.push({ path: '(body)', message: `not JSON: ${JSON.stringify(body.slice(0, 60))}` });
    return violations;
  }
  if (schema) {
    const validate = ajv.getSchema(schema);
    if (!validate(data)) violations.push(...ajvViolations(validate));
  }
  return violations;
}

/** Checks one request body (JSON, form or query) against the method's request schema. */
export function checkRequest(method, { contentType = '', body = '', query = '' }) {
  const operation = contract.paths[`/${method}`]?.post;
  if (!operation) return [{ path: '(method)', message: `${method} is not in the contract` }];
  let data;
  if (/application\/json/i.test(contentType)) {
    try {
      data = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return [{ path: '(request body)', message: 'not valid JSON' }];
    }
  } else {
    // Form and query values are text: read them as Bitrix24 does (bracket nesting, numbers by the schema).
    data = decodeBracketForm(body || query);
    if (Object.keys(data).length === 0 && !operation.requestBody?.required) return [];
    data = coerceToSchema(data, operation.requestBody?.content?.['application/json']?.schema, contract);
  }
  if (!operation.requestBody?.content?.['application/json']?.schema) return [];
  const validate = ajv.getSchema(pointer('paths', `/${method}`, 'post', 'requestBody', 'content', 'application/json', 'schema'));
  if (!validate || validate(data)) return [];
  return ajvViolations(validate).map((v) => ({ ...v, path: `request ${v.path}` }));
}

// ---------------------------------------------------------------------------------------------
// Calling the portal

const describeError = (error) => `${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`;

async function call(connection, method, params = {}) {
  const body = connection.kind === 'oauth' ? { ...params, auth: connection.token } : params;
  const response = await fetch(`${connection.base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': USER_AGENT },
    body: JSON.stringify(body),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', location: response.headers.get('location') ?? undefined, body: text, json };
}

/** A report that prints each case as it is checked. */
function createReport(secrets, out = console.log) {
  const rows = [];
  return {
    rows,
    add(method, label, violations) {
      rows.push({ method, label, violations });
      out(mask(`${violations.length ? 'FAIL' : 'PASS'}  ${method.padEnd(30)} ${label}`, secrets));
      for (const v of violations) out(mask(`      violation at ${v.path}: ${v.message}`, secrets));
    },
    note(text) {
      out(mask(`      ${text}`, secrets));
    },
  };
}

/** Calls a contract method, checks the answer and records it; returns the parsed answer. */
async function checked(connection, report, method, label, params, expect) {
  try {
    const answer = await call(connection, method, params);
    const violations = checkResponse(method, answer);
    if (expect && !violations.length) {
      const problem = expect(answer);
      if (problem) violations.push({ path: '(behaviour)', message: problem });
    }
    report.add(method, `${label} → HTTP ${answer.status}`, violations);
    return answer;
  } catch (error) {
    report.add(method, label, [{ path: '(transport)', message: describeError(error) }]);
    return undefined;
  }
}

const isSuccess = (answer) => (answer.status === 200 ? null : `expected HTTP 200, got ${answer.status} ${answer.json?.error ?? ''}`.trim());
const listed = (answer, ids) => {
  const got = (answer.json?.result ?? []).map((item) => Number(item.CONTACT_ID)).sort();
  return JSON.stringify(got) === JSON.stringify([...ids].sort()) ? null : `expected contacts [${ids}], got [${got}]`;
};

export async function runReadOnly(connection, report, { lead }) {
  await checked(connection, report, 'crm.lead.contact.fields', 'describe the link fields', {}, isSuccess);
  if (lead) await checked(connection, report, 'crm.lead.contact.items.get', `contacts of lead ${lead}`, { id: Number(lead) }, isSuccess);
  else report.note('no lead given (--lead ID or B24_LEAD_ID): items.get of a real lead skipped');
  await checked(connection, report, 'crm.lead.contact.items.get', 'lead id 0 (an error answer)', { id: 0 }, (a) => (a.status >= 400 ? null : `expected an error, got HTTP ${a.status}`));
}

/** The id in a create answer's `result`: a positive integer (a JSON number or its decimal text), else null. */
export function newRecordId(result) {
  const id = typeof result === 'number' ? result : typeof result === 'string' && /^[1-9]\d*$/.test(result) ? Number(result) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Creates a temporary lead and two contacts, exercises every changing method, then deletes what it created. */
export async function runWrite(connection, report) {
  const stamp = `b24-lead-contact verify ${new Date().toISOString()}`;
  // Only ids that came back as new records of this run; nothing else is ever linked, unlinked or deleted.
  const created = { lead: null, contacts: [] };
  const create = async (method, fields, taken = []) => {
    const answer = await call(connection, method, { fields });
    if (answer.status !== 200) throw new Error(`${method} failed: HTTP ${answer.status} ${answer.json?.error ?? ''} ${answer.json?.error_description ?? ''}`);
    const id = newRecordId(answer.json?.result);
    if (id === null || taken.includes(id)) {
      // Number(true) is 1: acting on such an "id" would change a record this run never made.
      const got = answer.body.length > 200 ? `${answer.body.slice(0, 200)}…` : answer.body;
      throw new Error(
        `${method} answered ${got || '(empty body)'}: ${id === null ? 'no new record id (a positive integer)' : `id ${id} again`}; stopping before any change. ` +
          `If it made a record anyway, find it by "${stamp}" and delete it by hand`,
      );
    }
    return id;
  };
  try {
    created.lead = await create('crm.lead.add', { TITLE: stamp });
    created.contacts.push(await create('crm.contact.add', { NAME: 'Verify A', LAST_NAME: stamp }));
    created.contacts.push(await create('crm.contact.add', { NAME: 'Verify B', LAST_NAME: stamp }, created.contacts));
    report.note(`created lead ${created.lead} and contacts ${created.contacts.join(', ')}`);
    const [a, b] = created.contacts;
    const id = created.lead;
    await checked(connection, report, 'crm.lead.contact.add', `link contact ${a} as primary`, { id, fields: { CONTACT_ID: a, IS_PRIMARY: 'Y' } }, isSuccess);
    await checked(connection, report, 'crm.lead.contact.items.get', 'after add', { id }, (x) => isSuccess(x) ?? listed(x, [a]));
    await checked(connection, report, 'crm.lead.contact.items.set', `set contacts ${a}, ${b}`, { id, items: [{ CONTACT_ID: a, SORT: 10, IS_PRIMARY: 'N' }, { CONTACT_ID: b, SORT: 20, IS_PRIMARY: 'Y' }] }, isSuccess);
    await checked(connection, report, 'crm.lead.contact.items.get', 'after items.set', { id }, (x) => isSuccess(x) ?? listed(x, [a, b]));
    await checked(connection, report, 'crm.lead.contact.delete', `unlink contact ${a}`, { id, fields: { CONTACT_ID: a } }, isSuccess);
    await checked(connection, report, 'crm.lead.contact.items.get', 'after delete', { id }, (x) => isSuccess(x) ?? listed(x, [b]));
    await checked(connection, report, 'crm.lead.contact.items.delete', 'unlink all', { id }, isSuccess);
    await checked(connection, report, 'crm.lead.contact.items.get', 'after items.delete', { id }, (x) => isSuccess(x) ?? listed(x, []));
  } catch (error) {
    report.add('(setup)', 'create the temporary records', [{ path: '(setup)', message: error.message }]);
  } finally {
    // Only what this run created, and each record on its own, so one failed delete does not stop the rest.
    const cleanup = [...(created.lead ? [['crm.lead.delete', created.lead]] : []), ...created.contacts.map((c) => ['crm.contact.delete', c])];
    for (const [method, id] of cleanup) {
      try {
        const answer = await call(connection, method, { id });
        report.note(`cleanup: ${method} ${id} → HTTP ${answer.status}`);
        if (answer.status !== 200) report.add(method, `cleanup of ${id}`, [{ path: '(cleanup)', message: `HTTP ${answer.status}; delete record ${id} by hand` }]);
      } catch (error) {
        report.add(method, `cleanup of ${id}`, [{ path: '(cleanup)', message: `${describeError(error)}; delete record ${id} by hand` }]);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Proxy mode

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Starts the checking proxy in front of `connection.origin`. Resolves with `{ url, close }`. */
export async function startProxy(connection, report, { port = 4020, host = '127.0.0.1' } = {}) {
  const server = createServer(async (req, res) => {
    const target = parseMethodUrl(req.url);
    const body = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const headers = { ...req.headers };
    for (const name of ['host', 'connection', 'content-length', 'accept-encoding', 'keep-alive', 'transfer-encoding']) delete headers[name];
    let upstream;
    try {
      upstream = await fetch(new URL(req.url, connection.origin), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        redirect: 'manual',
      });
    } catch (error) {
      report.add(target?.method ?? '(unknown)', `${req.method} forward failed`, [{ path: '(transport)', message: describeError(error) }]);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'PROXY_ERROR', error_description: mask(error.message, connection.secrets) }));
      return;
    }
    const text = await upstream.text();
    const responseHeaders = Object.fromEntries([...upstream.headers].filter(([name]) => !['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)));
    res.writeHead(upstream.status, responseHeaders);
    res.end(text);
    if (!target || !contract.paths[`/${target.method}`]) {
      report.note(`not checked (not a contract method): ${req.method} ${new URL(req.url, 'http://x').pathname}`);
      return;
    }
    const violations = [
      ...checkRequest(target.method, { contentType, body: body.toString('utf8'), query: req.method === 'GET' ? target.searchParams.toString() : '' }),
      ...checkResponse(target.method, { status: upstream.status, contentType: upstream.headers.get('content-type') ?? '', location: upstream.headers.get('location') ?? undefined, body: text }),
    ];
    report.add(target.method, `${req.method} ${target.form} → HTTP ${upstream.status}`, violations);
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolveListen);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

// ---------------------------------------------------------------------------------------------

const HELP = `Checks a Bitrix24 portal against the crm.lead.contact.* contract.

Set either
  B24_WEBHOOK_URL=https://your-portal.bitrix24.com/rest/1/your-webhook-code/
    (Bitrix24: Developer resources → Other → Inbound webhook, with the crm scope)
or
  B24_PORTAL=your-portal.bitrix24.com  B24_ACCESS_TOKEN=<OAuth access token>

Then
  npm run verify -- --lead 123           read-only checks (or set B24_LEAD_ID)
  npm run verify -- --write              also create, link, unlink and delete temporary records
  npm run verify -- --proxy --port 4020  check your own app's traffic through a local proxy`;

async function main(argv) {
  let args;
  try {
    ({ values: args } = parseArgs({
      args: argv,
      options: {
        lead: { type: 'string' },
        write: { type: 'boolean', default: false },
        proxy: { type: 'boolean', default: false },
        port: { type: 'string', default: '4020' },
        'allow-http': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error.message}\n\n${HELP}`);
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const connection = connectionFromEnv(process.env, { allowHttp: args['allow-http'] });
  if (!connection) throw new UsageError(`No portal credentials in the environment.\n\n${HELP}`);
  if (!/^\d+$/.test(args.port) || Number(args.port) > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(args.port)}`);
  const lead = args.lead ?? process.env.B24_LEAD_ID;
  if (lead !== undefined && !/^\d+$/.test(lead)) throw new UsageError(`--lead must be a lead id (digits), got ${JSON.stringify(lead)}`);
  const report = createReport(connection.secrets);
  console.log(mask(`Portal ${connection.origin} (${connection.kind}), contract ${contract.info.version}`, connection.secrets));

  if (args.proxy) {
    const proxy = await startProxy(connection, report, { port: Number(args.port) });
    console.log(`Proxy listening on ${proxy.url} → ${connection.origin}. Point your app at it; Ctrl+C prints the summary.`);
    await new Promise((resolveStop) => {
      process.once('SIGINT', resolveStop);
      process.once('SIGTERM', resolveStop);
    });
    await proxy.close();
  } else {
    await runReadOnly(connection, report, { lead });
    if (args.write) await runWrite(connection, report);
  }

  const failed = report.rows.filter((row) => row.violations.length).length;
  console.log(`\n${report.rows.length} checked, ${report.rows.length - failed} passed, ${failed} with violations.`);
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      const secrets = [process.env.B24_ACCESS_TOKEN, /\/rest\/\d+\/([^/]+)/.exec(process.env.B24_WEBHOOK_URL ?? '')?.[1]];
      console.error(mask(error instanceof UsageError ? error.message : `verify failed: ${error.message}`, secrets, false));
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
