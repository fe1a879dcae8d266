#!/usr/bin/env node
// Builds the API docs: one self-contained HTML page at dist/docs/index.html.
// The page is built from a docs-only copy of generated/openapi.bundle.json (dist/docs/openapi.docs.json)
// in which every operation gains a table of the errors it can return and code samples (cURL for both
// auth forms, TypeScript with this package's client), all derived from the contract, so a new method
// gets them without any docs edit. Redoc's scripts are inlined and the one remote image it shows
// (its attribution logo on a CDN) is swapped for an inline one: opening the page sends no request.
// The bundled contract is copied beside the page (openapi.yaml, openapi.json) and linked from the
// introduction, so the published site also serves the contract to other tools.
//
// The Russian page (ru/index.html) is built the same way from the Russian bundle: Redocly applies the
// overlay openapi/overlays/ru.yaml while bundling (openapi.ru.yaml, openapi.ru.json beside the English
// files), and the words this script adds come from scripts/docs-strings.mjs. Each page links the other.
//
// Nothing is published that npm test would refuse: before any page is built, the overlay must pass
// scripts/overlay.mjs (every string translated from the current English, actions that only translate),
// and the Russian bundle Redocly writes must pass scripts/russian-bundle.mjs (the English contract
// with only its prose translated). Either failure stops the build with the problems listed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deref } from '../src/wire/json-pointer.js';
import YAML from 'yaml';
import { DOCS_STRINGS } from './docs-strings.mjs';
import { checkOverlay, describeReport, loadOverlay } from './overlay.mjs';
import { compareRussianBundle } from './russian-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const docsDir = join(root, 'dist', 'docs');
export const docsFile = join(docsDir, 'index.html');
const bundleFile = join(root, 'generated', 'openapi.bundle.json');
/** The contract files published beside the page: name beside the page ← bundle in generated/. */
export const contractFiles = { 'openapi.yaml': 'openapi.bundle.yaml', 'openapi.json': 'openapi.bundle.json' };
/** The Russian bundle, written beside the English files (one level above ru/index.html). */
export const ruContractFiles = ['openapi.ru.yaml', 'openapi.ru.json'];
export const ruOverlay = join(root, 'openapi', 'overlays', 'ru.yaml');
/** Where each language's page sits in the site, and how it links the other one and the contract files. */
const PAGES = {
  en: { path: 'index.html', switchHref: 'ru/index.html', contract: Object.keys(contractFiles).map((name) => [name, `./${name}`]) },
  ru: { path: join('ru', 'index.html'), switchHref: '../index.html', contract: ruContractFiles.map((name) => [name, `../${name}`]) },
};
const template = join(root, 'scripts', 'docs-template.hbs');
const redoclyCli = join(root, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const redoclyEnv = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
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

function errorTable(errors, t) {
  const rows = errors.map(
    (e) =>
      `| ${e.status} | ${e.code ? `\`${e.code}\`` : `\`""\` ${t.emptyCode}`}: **${cell(e.summary)}.** ${cell(e.description)} ${t.example}: \`${e.name}\`. |`,
  );
  return [`### ${t.errorsHeading}`, '', t.errorsIntro, '', `| HTTP | ${t.errorsColumn} |`, '|---|---|', ...rows].join('\n');
}

/**
 * cURL for both auth forms and TypeScript with this package's client, from the first JSON request
 * example; for a method only an app may call (`x-oauth-only`), the OAuth forms alone.
 */
export function codeSamples(spec, method, operation, t = DOCS_STRINGS.en) {
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
  const oauthOnly = operation['x-oauth-only'] === true;
  return [
    ...(oauthOnly ? [] : [{ lang: 'bash', label: t.webhookLabel, source: curl(`https://${host}/rest/1/your-webhook-code/${method}`, params) }]),
    { lang: 'bash', label: t.oauthLabel, source: curl(`https://${host}/rest/${method}`, { ...params, auth: 'your-access-token' }) },
    {
      lang: 'typescript',
      label: 'TypeScript',
      source: [
        `import { createBitrix24Client } from 'b24-lead-contact';`,
        '',
        ...(oauthOnly
          ? [t.appClientComment, 'const client = createBitrix24Client({ portal: process.env.B24_PORTAL!, accessToken: process.env.B24_ACCESS_TOKEN! });']
          : [t.clientComment, 'const client = createBitrix24Client({ webhookUrl: process.env.B24_WEBHOOK_URL! });']),
        '',
        `const result = await client.${method}(${args});`,
      ].join('\n'),
    },
  ];
}

/** The tabs of the code-sample panel (Redoc shows an `x-codeSamples` entry only if its label is listed). */
const sampleTabs = (t) => [t.webhookLabel, t.oauthLabel, 'TypeScript', 'Payload'].map((label) => ({ lang: label, label }));

/**
 * The docs-only copy of the contract: each operation with its error table and code samples, and a
 * method overview in the introduction. Operation tags are dropped from this copy: Redoc 3 folds a
 * tag's operations away in the sidebar and behind a "Show" button, while untagged operations are
 * listed, and rendered, one by one under their method name.
 */
export function docsSpec(spec, t = DOCS_STRINGS.en) {
  const copy = structuredClone(spec);
  // The overview keeps the contract's grouping: one table per tag, in the contract's tag order.
  const groups = new Map((copy.tags ?? []).map((tag) => [tag.name, { tag, rows: [] }]));
  for (const [path, item] of Object.entries(copy.paths ?? {})) {
    for (const verb of HTTP_METHODS) {
      const operation = item[verb];
      if (!operation) continue;
      const method = path.replace(/^\//, '');
      const [, what = operation.summary ?? ''] = /^\S+\s+—\s+(.*)$/.exec(operation.summary ?? '') ?? [];
      const tagName = operation.tags?.[0] ?? t.otherGroup;
      if (!groups.has(tagName)) groups.set(tagName, { tag: { name: tagName }, rows: [] });
      // Redoc badges a deprecated operation and strikes it through in the menu; the overview says it too.
      const mark = operation.deprecated ? `**${t.deprecated}** · ` : '';
      groups.get(tagName).rows.push(`| \`${method}\` | ${mark}${cell(what)} |`);
      const errors = operationErrors(copy, operation);
      if (errors.length) operation.description = `${(operation.description ?? '').trimEnd()}\n\n${errorTable(errors, t)}\n`;
      operation['x-codeSamples'] = codeSamples(copy, method, operation, t);
      delete operation.tags;
    }
  }
  // Deliveries (OpenAPI 3.1 `webhooks`): listed in the overview under their own heading.
  const deliveries = [];
  for (const [name, item] of Object.entries(copy.webhooks ?? {})) {
    const operation = item.post;
    if (!operation) continue;
    const [, what = operation.summary ?? ''] = /^\S+\s+—\s+(.*)$/.exec(operation.summary ?? '') ?? [];
    deliveries.push(`| \`${name}\` | ${cell(what)} |`);
  }
  const deliveryTag = (copy.tags ?? []).find((tag) => (copy.webhooks ? Object.values(copy.webhooks) : []).length > 0 && tag.name === 'Event deliveries');
  if (deliveryTag) groups.set(deliveryTag.name, { tag: deliveryTag, rows: deliveries });
  // Redoc renders a webhook only under a tag: the deliveries keep theirs, and only it.
  copy.tags = deliveryTag ? [deliveryTag] : [];
  if (copy.tags.length === 0) delete copy.tags;
  delete copy['x-tagGroups'];
  const overview = [`## ${t.methodsHeading}`];
  for (const { tag, rows } of groups.values()) {
    if (rows.length === 0) continue;
    const heading = tag['x-displayName'] ?? tag.name;
    overview.push(
      '',
      `**${heading}**${tag.description ? ` — ${tag.description.trim()}` : ''}`,
      '',
      `| ${t.methodColumn} | ${t.whatColumn} |`,
      '|---|---|',
      ...rows,
    );
  }
  const download = PAGES[t.lang].contract.map(([name, href]) => `[${name}](${href})`).join(' · ');
  overview.push('', `${t.contractFiles}: ${download}.`);
  copy.info.description = `${(copy.info.description ?? '').trimEnd()}\n\n${overview.join('\n')}\n`;
  return copy;
}

// Redoc 3 always shows "API docs by" with a logo image loaded from cdn.redoc.ly; keep the credit,
// serve the image inline.
const INLINE_LOGO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="14"><text x="0" y="11" font-family="sans-serif" font-size="11" fill="#0044d4">Redocly</text></svg>',
)}`;
const REMOTE_LOGO = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;

/** Renders one language's page from a bundled contract (its docs-only copy is written beside the page). */
function renderPage(spec, output, t) {
  const outDir = dirname(output);
  mkdirSync(outDir, { recursive: true });
  const docsJson = join(outDir, 'openapi.docs.json');
  writeFileSync(docsJson, `${JSON.stringify(docsSpec(spec, t), null, 2)}\n`);
  const other = DOCS_STRINGS[t.switchLang];
  execFileSync(
    process.execPath,
    [
      redoclyCli,
      'build-docs',
      docsJson,
      '--output',
      output,
      '--inlineBundle',
      '--template',
      template,
      '--title',
      t.title,
      '--templateOptions.lang',
      t.lang,
      '--templateOptions.switchHref',
      PAGES[t.lang].switchHref,
      '--templateOptions.switchLabel',
      t.switchLabel,
      '--templateOptions.switchLang',
      other.lang,
      '--openapi',
      JSON.stringify({ hideDownloadButtons: true, jsonSamplesExpandLevel: 'all', codeSamples: { languages: sampleTabs(t) } }),
    ],
    { cwd: root, env: redoclyEnv, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(output, readFileSync(output, 'utf8').replace(REMOTE_LOGO, INLINE_LOGO));
  return output;
}

/** The English page at `output`, with the bundled contract copied beside it. */
export function buildDocs(output = docsFile) {
  renderPage(JSON.parse(readFileSync(bundleFile, 'utf8')), output, DOCS_STRINGS.en);
  for (const [name, source] of Object.entries(contractFiles)) copyFileSync(join(root, 'generated', source), join(dirname(output), name));
  return output;
}

/** Stops the build: the problems that would make npm test fail, one line each. */
export class DocsCheckError extends Error {
  /** @param {string} what @param {string[]} problems */
  constructor(what, problems) {
    super(`${what}; nothing was published:\n${problems.map((line) => `  ${line}`).join('\n')}`);
    this.name = 'DocsCheckError';
    this.problems = problems;
  }
}

/** The overlay check of `npm run overlay:status` (and test/docs/overlay.test.ts); throws a DocsCheckError listing what fails. */
export function checkRussianOverlay(overlayFile = ruOverlay) {
  const problems = describeReport(checkOverlay(JSON.parse(readFileSync(bundleFile, 'utf8')), loadOverlay(overlayFile)), relative(root, overlayFile));
  if (problems.length > 0) throw new DocsCheckError(`The Russian overlay ${relative(root, overlayFile)} fails its check`, problems);
}

/**
 * The Russian bundle: Redocly bundles the contract and applies the overlay, as for the English
 * bundle in generated/ (scripts/generate.mjs) plus `--overlay`.
 */
export function bundleRussian(siteDir = docsDir, overlayFile = ruOverlay) {
  mkdirSync(siteDir, { recursive: true });
  const [yamlName, jsonName] = ruContractFiles;
  const yamlFile = join(siteDir, yamlName);
  execFileSync(process.execPath, [redoclyCli, 'bundle', 'b24-lead-contact', '--overlay', overlayFile, '--output', yamlFile], {
    cwd: root,
    env: redoclyEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bundled = readFileSync(yamlFile, 'utf8');
  writeFileSync(yamlFile, `# ${RU_BANNER}\n${bundled}`);
  const spec = YAML.parse(bundled);
  writeFileSync(join(siteDir, jsonName), `${JSON.stringify(spec, null, 2)}\n`);
  return spec;
}

const RU_BANNER =
  'The contract in Russian: openapi/ bundled with the overlay openapi/overlays/ru.yaml applied, by scripts/docs.mjs (`npm run docs`). Do not edit.';

/**
 * The Russian page at siteDir/ru/index.html, with the Russian bundle in siteDir; throws a
 * DocsCheckError, before the page is rendered, when that bundle is more than the English translated.
 */
export function buildRussianDocs(siteDir = docsDir, overlayFile = ruOverlay) {
  const russian = bundleRussian(siteDir, overlayFile);
  const problems = compareRussianBundle(JSON.parse(readFileSync(bundleFile, 'utf8')), russian);
  if (problems.length > 0) throw new DocsCheckError('The Russian bundle is not the English contract translated', problems);
  return renderPage(russian, join(siteDir, PAGES.ru.path), DOCS_STRINGS.ru);
}

/**
 * Both pages and every contract file, as published: the site `npm run docs` writes and Pages serves.
 * The overlay is checked first, so a broken one stops the build before any page is written.
 */
export function buildSite(siteDir = docsDir, { overlayFile = ruOverlay } = {}) {
  checkRussianOverlay(overlayFile);
  return { en: buildDocs(join(siteDir, PAGES.en.path)), ru: buildRussianDocs(siteDir, overlayFile) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { en, ru } = buildSite();
    console.log(`Docs written to ${en} and ${ru}`);
  } catch (error) {
    if (!(error instanceof DocsCheckError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
