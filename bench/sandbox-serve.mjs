#!/usr/bin/env node
// One server of the sandbox benchmark in its own Node process, from the built package (dist/lib), so
// it shares no event loop with the client being measured:
//   sandbox: startSandbox({ port: 0 }), the shipped HTTP front and engine, in this process;
//   prism:   the mock `npm run mock` serves (src/dev/prism-mock.ts): its Bitrix24 front in this
//            process, Prism itself in a child of it.
// Usage: node bench/sandbox-serve.mjs sandbox|prism
//   prints one JSON line {"webhookUrl": "..."}; stops on SIGTERM.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2];

/** @type {{ webhookUrl: string, close(): Promise<void> }} */
let server;
if (kind === 'sandbox') {
  const { startSandbox } = await import('../dist/lib/src/node/sandbox.js');
  const sandbox = await startSandbox({ port: 0 });
  server = { webhookUrl: sandbox.webhookUrl, close: () => sandbox.close() };
} else if (kind === 'prism') {
  const { startMock } = await import('../dist/lib/src/dev/prism-mock.js');
  const mock = await startMock({
    port: 0,
    spec: join(root, 'generated', 'openapi.bundle.yaml'),
    prismCli: join(root, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js'),
  });
  server = { webhookUrl: `${mock.url}/rest/1/benchwebhookcode/`, close: () => mock.close() };
} else {
  console.error('Usage: node bench/sandbox-serve.mjs sandbox|prism');
  process.exit(2);
}

process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
console.log(JSON.stringify({ webhookUrl: server.webhookUrl }));
