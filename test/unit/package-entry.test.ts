import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The source files a browser bundle of `entry` (relative to this file) is made of. */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('the published package entry', () => {
  it('exports createBitrix24Client under the package name (after npm run build)', async () => {
    const entry = await import('b24-lead-contact');
    expect(typeof entry.createBitrix24Client).toBe('function');
    expect(typeof entry.isBitrix24Error).toBe('function');
    const client = entry.createBitrix24Client({ webhookUrl: 'https://example.bitrix24.com/rest/1/code/' });
    expect(typeof client.crm.lead.contact.add).toBe('function');
  });

  it('ships the bundled contract', async () => {
    const { default: contract } = await import('b24-lead-contact/openapi.json', { with: { type: 'json' } });
    expect(contract.paths['/crm.lead.contact.add'].post.operationId).toBe('crmLeadContactAdd');
  });
});

describe('the b24-lead-contact/redis entry', () => {
  it('exports createRedisStore (after npm run build)', async () => {
    const entry = await import('b24-lead-contact/redis');
    expect(typeof entry.createRedisStore).toBe('function');
    expect(() => entry.createRedisStore({} as never)).toThrow(/ioredis client .* or a connected node-redis client/);
  });

  it('imports no Redis library itself: it drives the client the caller passes', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/redis.ts', import.meta.url))],
      bundle: true,
      packages: 'external',
      write: false,
      metafile: true,
      platform: 'neutral',
      format: 'esm',
      logLevel: 'silent',
    });
    const imported = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    expect(imported).toEqual([]);
  });

  it('stays out of the main entry: a browser bundle of the client contains no store code', async () => {
    const inputs = await inputsOf('../../src/index.ts');
    expect(inputs.some((path) => path.endsWith('src/client/client.ts'))).toBe(true);
    expect(inputs.filter((path) => /shared-store|redis/.test(path))).toEqual([]);
  });
});

describe('the b24-lead-contact/frame entry', () => {
  it('exports connectFrame under the package name (after npm run build)', async () => {
    const entry = await import('b24-lead-contact/frame');
    expect(typeof entry.connectFrame).toBe('function');
  });

  it('holds only the frame code (the client comes from the main entry), and the main entry holds none of it', async () => {
    expect(await inputsOf('../../src/frame.ts')).toEqual(['src/frame/connect-frame.ts', 'src/frame.ts']);
    expect((await inputsOf('../../src/index.ts')).filter((path) => path.includes('frame'))).toEqual([]);
  });
});
