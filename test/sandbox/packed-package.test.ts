// The package as a user installs it: `npm pack` of this checkout (built by npm test), installed with msw
// into a scratch project outside the repository, so nothing can resolve to this checkout's dev dependencies.
// The one tarball of the run, on every toolchain a consumer may have: msw 3 (msw 2 where Node is too old
// for 3), import and require(), and TypeScript 5.9, 6.0 and 7.0 under NodeNext and Bundler resolution.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, startRedisServer } from '../support/redis.js';
import { postJson } from '../support/contract-answer.js';
import { mswForThisNode, TYPESCRIPTS } from '../support/toolchains.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const msw = mswForThisNode('packed-package');
/** msw 3 renamed the option; in plain JavaScript it ignores the old name (and lets requests out). */
const unhandled = msw.major >= 3 ? 'onUnhandledFrame' : 'onUnhandledRequest';
const { version: ioredisVersion } = (await import('ioredis/package.json', { with: { type: 'json' } })).default;

const RESOLUTIONS = ['NodeNext', 'Bundler'] as const;
/** A consumer's tsconfig.json: strict, with Node's types, as most projects have it (skipLibCheck included). */
const consumerConfig = (resolution: (typeof RESOLUTIONS)[number]) => ({
  compilerOptions: {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
    moduleResolution: resolution,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  },
  files: ['consumer.ts'],
});
let typeChecks: Map<string, Promise<string>> | undefined;
/**
 * What a compiler printed for the consumer's file. The first call starts all six runs at once (the last
 * tests of the file, so they compete with no other test); each test awaits only its own.
 */
function typeCheck(version: string, resolution: (typeof RESOLUTIONS)[number]): Promise<string> | undefined {
  typeChecks ??= new Map(
    RESOLUTIONS.flatMap((each) => {
      writeFileSync(join(project, `tsconfig.${each}.json`), JSON.stringify(consumerConfig(each)));
      return TYPESCRIPTS.map(({ version, tsc }) => {
        const printed = run(process.execPath, [tsc, '-p', `tsconfig.${each}.json`], { cwd: project }).then(
          ({ stdout }) => stdout,
          (error) => String(error.stdout || error),
        );
        return [`${version} ${each}`, printed] as const;
      });
    }),
  );
  return typeChecks.get(`${version} ${resolution}`);
}

let project: string;
beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'b24-packed-'));
  const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: root });
  const { filename } = (JSON.parse(stdout) as Array<{ filename: string }>)[0]!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // From the npm cache when it holds everything (as after npm ci); the registry only for what it lacks.
  await run(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `./${filename}`, `msw@${msw.version}`, `ioredis@${ioredisVersion}`],
    { cwd: project },
  );
  copyFileSync(fileURLToPath(new URL('../fixtures/consumer.ts', import.meta.url)), join(project, 'consumer.ts'));
}, 120_000);
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs an ES module (or with `.cjs`, a CommonJS one) inside the scratch project and returns what it printed as JSON. */
async function runModule(source: string, extension = '.mjs') {
  const file = join(project, `check-${Math.random().toString(36).slice(2)}${extension}`);
  writeFileSync(file, source);
  const { stdout } = await run(process.execPath, [file], { cwd: project });
  return JSON.parse(stdout);
}

describe('the packed package', () => {
  it('installs without Prism or any other dev dependency', () => {
    const installed = new Set(readdirSync(join(project, 'node_modules')));
    for (const devOnly of [
      'redis',
      '@stoplight',
      '@redocly',
      'vitest',
      'typescript',
      'ajv',
      'esbuild',
      'openapi-typescript',
      'yaml',
      'fast-check',
      'playwright-core',
    ]) {
      expect(installed.has(devOnly), devOnly).toBe(false);
    }
  });

  it('runs every entry point: the client, the in-process sandbox, startSandbox, the MSW handlers and the contract', async () => {
    const out = await runModule(`
      import { createBitrix24Client } from 'b24-lead-contact';
      import { createSandbox, startSandbox } from 'b24-lead-contact/sandbox';
      import { sandboxHandlers } from 'b24-lead-contact/msw';
      import contract from 'b24-lead-contact/openapi.json' with { type: 'json' };
      import { setupServer } from 'msw/node';
      const webhookUrl = 'https://example.bitrix24.com/rest/1/code/';
      const sandbox = createSandbox();
      const inProcess = await createBitrix24Client({ webhookUrl, fetch: sandbox.fetch }).crm.lead.contact.add({ id: 2, fields: { CONTACT_ID: 1020 } });
      const server = await startSandbox();
      const overHttp = await createBitrix24Client({ webhookUrl: server.webhookUrl, allowInsecureHttp: true }).crm.lead.contact.items.get({ id: 1 });
      await server.close();
      const msw = setupServer(...sandboxHandlers(sandbox));
      msw.listen({ ${unhandled}: 'error' });
      const throughMsw = await createBitrix24Client({ webhookUrl }).crm.lead.contact.items.get({ id: 2 });
      msw.close();
      console.log(JSON.stringify({ inProcess, overHttp: overHttp.length, throughMsw, operation: contract.paths['/crm.lead.contact.add'].post.operationId }));
    `);
    expect(out).toEqual({
      inProcess: true,
      overHttp: 2,
      throughMsw: [{ CONTACT_ID: 1020, SORT: 10, ROLE_ID: 0, IS_PRIMARY: 'Y' }],
      operation: 'crmLeadContactAdd',
    });
  });

  it('is require()d by CommonJS code on every Node it supports (require of ES modules, Node 20.19+)', async () => {
    const out = await runModule(
      `
      const { createBitrix24Client } = require('b24-lead-contact');
      const { createSandbox } = require('b24-lead-contact/sandbox');
      const { sandboxHandlers } = require('b24-lead-contact/msw');
      const { createRedisStore } = require('b24-lead-contact/redis');
      const contract = require('b24-lead-contact/openapi.json');
      const { createEventHandler } = require('b24-lead-contact/events');
      const { toNodeListener } = require('b24-lead-contact/events/node');
      const { connectFrame } = require('b24-lead-contact/frame');
      const sandbox = createSandbox();
      createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/', fetch: sandbox.fetch })
        .crm.lead.contact.items.get({ id: 1 })
        .then((links) => console.log(JSON.stringify({ links: links.length, handlers: sandboxHandlers(sandbox).length, redis: typeof createRedisStore, version: contract.openapi, wings: [createEventHandler, toNodeListener, connectFrame].map((f) => typeof f) })));
    `,
      '.cjs',
    );
    expect(out).toEqual({ links: 2, handlers: 1, redis: 'function', version: '3.1.0', wings: ['function', 'function', 'function'] });
  });

  it.skipIf(!hasRedisServer)('lets two clients share one Redis store through ioredis (b24-lead-contact/redis)', async () => {
    const redis = await startRedisServer();
    try {
      const out = await runModule(`
        import Redis from 'ioredis';
        import { createBitrix24Client } from 'b24-lead-contact';
        import { createRedisStore } from 'b24-lead-contact/redis';
        import { createSandbox } from 'b24-lead-contact/sandbox';
        const sandbox = createSandbox({ rateLimit: 'standard' });
        const connection = new Redis('${redis.url}');
        const store = createRedisStore(connection, { prefix: 'consumer:' });
        const client = () => createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/', fetch: sandbox.fetch, store });
        const [a, b] = [client(), client()];
        const results = await Promise.all([1010, 1011, 1020].flatMap((id) => [a, b].map((c) => c.crm.lead.contact.items.get({ id: 1 }))));
        const keys = await connection.keys('consumer:*');
        connection.disconnect();
        console.log(JSON.stringify({ calls: results.length, refused: sandbox.calls.filter((c) => c.status !== 200).length, keys }));
      `);
      expect(out).toEqual({ calls: 6, refused: 0, keys: [expect.stringMatching(/^consumer:\{example\.bitrix24\.com\}:bucket$/)] });
    } finally {
      await redis.stop();
    }
  });

  it('gives browsers a sandbox entry without node:http, whose startSandbox explains itself', async () => {
    const bundle = await build({
      stdin: {
        contents: `
          import { createSandbox, startSandbox } from 'b24-lead-contact/sandbox';
          const sandbox = createSandbox();
          const response = await sandbox.fetch('https://example.bitrix24.com/rest/1/code/crm.lead.contact.items.get', { method: 'POST', body: '{"id":1}' });
          const refused = await startSandbox().catch((error) => error.message);
          console.log(JSON.stringify({ links: (await response.json()).result.length, refused }));`,
        resolveDir: project,
        loader: 'js',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser', // a Node built-in anywhere in the graph fails this build
      write: false,
    });
    const text = bundle.outputFiles[0]!.text;
    expect(text).not.toMatch(/(?:from|import\()\s*["']node:/);
    // The bundle uses nothing Node-specific, so Node can run it as a browser would.
    writeFileSync(join(project, 'browser-bundle.mjs'), text);
    const { stdout } = await run(process.execPath, [join(project, 'browser-bundle.mjs')]);
    expect(JSON.parse(stdout)).toEqual({ links: 2, refused: expect.stringMatching(/^startSandbox needs Node \(node:http\)/) });
  });

  it('bundles the MSW entry for browsers', async () => {
    const bundle = await build({
      stdin: {
        contents: `export { sandboxHandlers } from 'b24-lead-contact/msw'; export { setupWorker } from 'msw/browser';`,
        resolveDir: project,
        loader: 'js',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    expect(bundle.errors).toEqual([]);
  });

  it('links the bin: npx b24-lead-contact sandbox answers over HTTP', async () => {
    const bin = join(project, 'node_modules', '.bin', 'b24-lead-contact');
    expect(existsSync(bin)).toBe(true);
    const child = spawn(bin, ['sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      let url: string | undefined;
      while (!(url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1])) {
        if (child.exitCode !== null) throw new Error(`the bin exited with ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const answer = await postJson(`${url}/rest/1/python-suite/crm.lead.contact.items.get`, { id: 1 }, 'crm.lead.contact.items.get');
      expect(answer.body.result).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
  });

  describe.each(TYPESCRIPTS)('types under TypeScript $version', ({ version }) => {
    it.each(RESOLUTIONS)(
      'check a consumer’s file, and fail its typos, with %s resolution',
      async (resolution) => {
        // tsc prints its errors on stdout; an unused @ts-expect-error (a typo that compiled) is one of them.
        expect(await typeCheck(version, resolution)).toBe('');
      },
      120_000,
    );
  });
});
