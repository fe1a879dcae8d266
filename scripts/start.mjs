#!/usr/bin/env node
// `npm start`: builds the docs, then serves the mock and the docs at one local address.
import { buildDocs } from './docs.mjs';
import { startRepoMock as startMock } from './mock.mjs';

const port = Number(process.env.PORT ?? 4010);
const docsFile = buildDocs();
const mock = await startMock({ port, docsFile }).catch((error) => {
  console.error(`Could not start the mock: ${error.message}`);
  process.exit(1);
});
console.log(`Docs: ${mock.url}/`);
console.log(`Mock: ${mock.url}/rest/1/mock/crm.lead.contact.add (webhook form), ${mock.url}/rest/crm.lead.contact.add (OAuth form)`);
console.log('Press Ctrl+C to stop.');
const stop = async () => {
  await mock.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
