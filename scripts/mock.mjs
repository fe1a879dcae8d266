#!/usr/bin/env node
// `npm run mock`: the Prism mock behind the Bitrix24 URL adapter (src/dev/prism-mock.ts, built to dist).
// Usage: node scripts/mock.mjs [--port N] [--docs FILE]   (PORT env or 4010 by default)
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The mock with this repository's bundled contract and Prism.
 * @param {{ port?: number, docsFile?: string, docsFiles?: Record<string, string> }} [options]
 */
export async function startRepoMock({ port, docsFile, docsFiles } = {}) {
  const { startMock } = await import('../dist/lib/src/dev/prism-mock.js');
  return startMock({
    port,
    docsFile,
    ...(docsFiles ? { docsFiles } : {}),
    spec: join(root, 'generated', 'openapi.bundle.yaml'),
    prismCli: join(root, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js'),
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string' }, docs: { type: 'string' } } });
  const port = Number(values.port ?? process.env.PORT ?? 4010);
  const mock = await startRepoMock({ port, docsFile: values.docs }).catch((error) => {
    console.error(`Could not start the mock: ${error.message}`);
    process.exit(1);
  });
  console.log(`Mock of the Bitrix24 crm.lead.contact.* methods: ${mock.url}/rest/1/mock/crm.lead.contact.add`);
  if (values.docs) console.log(`Docs: ${mock.url}/`);
  const stop = async () => {
    await mock.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
