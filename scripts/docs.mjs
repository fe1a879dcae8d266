#!/usr/bin/env node
// Builds the API docs: one self-contained HTML page at dist/docs/index.html.
// The page is built from a docs-only copy of generated/openapi.bundle.json (dist/docs/openapi.docs.json)
// in which every operation gains a table of the errors it can return and code samples (cURL for both
// auth forms, TypeScript with this package's client), all derived from the contract, so a new method
// gets them without any docs edit. Redoc's scripts are inlined and the one remote image it shows
// (its attribution logo on a CDN) is swapped for an inline one: opening the page sends no request.
// The bundled contract is copied beside the page (openapi.yaml, openapi.json) and linked from the
// introduction, so the published site also serves the contract to other tools.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deref } from '../src/wire/json-pointer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const docsFile = join(root, 'dist', 'docs', 'index.html');
const bundleFile = join(root, 'generated', 'openapi.bundle.json');
/** The contract files published beside the page: name beside the page ← bundle in generated/. */
export const contractFiles = { 'openapi.yaml': 'openapi.bundle.yaml', 'openapi.json': 'openapi.bundle.json' };
const template = join(root, 'scripts', 'docs-template.hbs');
const TITLE = 'Bitrix24 lead–contact API (crm.lead.contact.*)';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const cell = (text = '') =>
  String(text)
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

/** Every documented error of an operation: status, example name, code and the example's own words. */
export function operationErrors(spec, operation) {
  return Object.entries(operation.responses ?? {})
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([status, response]) =>
      Object.entries(/** @type {any} */ (deref(spec, response))?.content?.['application/json']?.examples ?? {}).map(([name, example]) => {
        const { summary, description, value } = /** @type {any} */ (deref(spec, example));
        return { status: Number(status), name, code: value?.error, summary, description };
      }),
    );
}

function errorTable(errors) {
  const rows = errors.map(
    (e) => `| ${e.status} | ${e.code ? `\`${e.code}\`` : '`""` (empty)'}: **${cell(e.summary)}.** ${cell(e.description)} Example: \`${e.name}\`. |`,
  );
  return [
    '### Errors',
    '',
    'Every error this method can return; each has its named example under **Responses**.',
    '',
    '| HTTP | `error` code, meaning and what to do |',
    '|---|---|',
    ...rows,
  ].join('\n');
}

/** cURL for both auth forms and TypeScript with this package's client, from the first JSON request example. */
export function codeSamples(spec, method, operation) {
  const json = operation.requestBody?.content?.['application/json'];
  const first = Object.values(json?.examples ?? {})[0];
  const { auth, ...params } = (first ? /** @type {any} */ (deref(spec, first)).value : json?.example) ?? {};
  const host = spec.servers?.[0]?.variables?.portal?.default ?? 'your-portal.bitrix24.com';
  const curl = (url, body) =>
    [
      `curl -X POST "${url}" \\`,
      `  -H "Content-Type: application/json" -H "Accept: application/json" \\`,
      `  -d '${JSON.stringify(body, null, 2).replace(/'/g, "'\\''")}'`,
    ].join('\n');
  const args = Object.keys(params).length ? JSON.stringify(params, null, 2).replace(/"([A-Za-z_$][\w$]*)":/g, '$1:') : '';
  return [
    { lang: 'bash', label: 'cURL (webhook)', source: curl(`https://${host}/rest/1/your-webhook-code/${method}`, params) },
    { lang: 'bash', label: 'cURL (OAuth)', source: curl(`https://${host}/rest/${method}`, { ...params, auth: 'your-access-token' }) },
    {
      lang: 'typescript',
      label: 'TypeScript',
      source: [
        `import { createBitrix24Client } from 'b24-lead-contact';`,
        '',
        '// Webhook form; for an OAuth app: createBitrix24Client({ portal, accessToken })',
        'const client = createBitrix24Client({ webhookUrl: process.env.B24_WEBHOOK_URL! });',
        '',
        `const result = await client.${method}(${args});`,
      ].join('\n'),
    },
  ];
}

/** The tabs of the code-sample panel (Redoc shows an `x-codeSamples` entry only if its label is listed). */
const SAMPLE_TABS = ['cURL (webhook)', 'cURL (OAuth)', 'TypeScript', 'Payload'].map((label) => ({ lang: label, label }));

/**
 * The docs-only copy of the contract: each operation with its error table and code samples, and a
 * method overview in the introduction. Operation tags are dropped from this copy: Redoc 3 folds a
 * tag's operations away in the sidebar and behind a "Show" button, while untagged operations are
 * listed, and rendered, one by one under their method name.
 */
export function docsSpec(spec) {
  const copy = structuredClone(spec);
  // The overview keeps the contract's grouping: one table per tag, in the contract's tag order.
  const groups = new Map((copy.tags ?? []).map((tag) => [tag.name, { tag, rows: [] }]));
  for (const [path, item] of Object.entries(copy.paths ?? {})) {
    for (const verb of HTTP_METHODS) {
      const operation = item[verb];
      if (!operation) continue;
      const method = path.replace(/^\//, '');
      const [, what = operation.summary ?? ''] = /^\S+\s+—\s+(.*)$/.exec(operation.summary ?? '') ?? [];
      const tagName = operation.tags?.[0] ?? 'Other';
      if (!groups.has(tagName)) groups.set(tagName, { tag: { name: tagName }, rows: [] });
      groups.get(tagName).rows.push(`| \`${method}\` | ${cell(what)} |`);
      const errors = operationErrors(copy, operation);
      if (errors.length) operation.description = `${(operation.description ?? '').trimEnd()}\n\n${errorTable(errors)}\n`;
      operation['x-codeSamples'] = codeSamples(copy, method, operation);
      delete operation.tags;
    }
  }
  delete copy.tags;
  delete copy['x-tagGroups'];
  const overview = ['## Methods'];
  for (const { tag, rows } of groups.values()) {
    if (rows.length === 0) continue;
    overview.push('', `**${tag.name}**${tag.description ? ` — ${tag.description.trim()}` : ''}`, '', '| Method | What it does |', '|---|---|', ...rows);
  }
  const download = Object.keys(contractFiles)
    .map((name) => `[${name}](./${name})`)
    .join(' · ');
  overview.push('', `The whole contract, bundled into one file for other tools: ${download}.`);
  copy.info.description = `${(copy.info.description ?? '').trimEnd()}\n\n${overview.join('\n')}\n`;
  return copy;
}

// Redoc 3 always shows "API docs by" with a logo image loaded from cdn.redoc.ly; keep the credit,
// serve the image inline.
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="14"><text x="0" y="11" font-family="sans-serif" font-size="11" fill="#0044d4">Redocly</text></svg>',
)}`;
const REMOTE_LOGO = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;

export function buildDocs(output = docsFile) {
  const outDir = dirname(output);
  mkdirSync(outDir, { recursive: true });
  const docsJson = join(outDir, 'openapi.docs.json');
  writeFileSync(docsJson, `${JSON.stringify(docsSpec(JSON.parse(readFileSync(bundleFile, 'utf8'))), null, 2)}\n`);
  const redocly = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  execFileSync(
    process.execPath,
    [
      redocly,
      'build-docs',
      docsJson,
      '--output',
      output,
      '--inlineBundle',
      '--template',
      template,
      '--title',
      TITLE,
      '--openapi',
      JSON.stringify({ hideDownloadButtons: true, jsonSamplesExpandLevel: 'all', codeSamples: { languages: SAMPLE_TABS } }),
    ],
    { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(output, readFileSync(output, 'utf8').replace(REMOTE_LOGO, INLINE_LOGO));
  for (const [name, source] of Object.entries(contractFiles)) copyFileSync(join(root, 'generated', source), join(outDir, name));
  return output;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`Docs written to ${buildDocs()}`);
}
