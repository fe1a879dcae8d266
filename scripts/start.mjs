#!/usr/bin/env node
// `npm start`: builds the docs, then serves the mock and the docs site (both languages and the
// contract files the pages link) at one local address.
import { join } from 'node:path';
import { buildSite, contractFiles, docsDir, ruContractFiles } from './docs.mjs';
import { startRepoMock as startMock } from './mock.mjs';

const port = Number(process.env.PORT ?? 4010);
const pages = buildSite();
/** The site's files by URL path, as the pages link them (./ru/index.html, ../index.html, ./openapi.yaml, …). */
const docsFiles = {
  '/index.html': pages.en,
  '/ru': pages.ru,
  '/ru/': pages.ru,
  '/ru/index.html': pages.ru,
  ...Object.fromEntries([...Object.keys(contractFiles), ...ruContractFiles].map((name) => [`/${name}`, join(docsDir, name)])),
};
const mock = await startMock({ port, docsFile: pages.en, docsFiles }).catch((error) => {
  console.error(`Could not start the mock: ${error.message}`);
  process.exit(1);
});
console.log(`Docs: ${mock.url}/ (English), ${mock.url}/ru/ (Русская версия)`);
console.log(`Mock: ${mock.url}/rest/1/mock/crm.lead.contact.add (webhook form), ${mock.url}/rest/crm.lead.contact.add (OAuth form)`);
console.log('Press Ctrl+C to stop.');
const stop = async () => {
  await mock.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
