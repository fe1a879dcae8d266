// `npm start` serves the whole docs site beside the mock: both pages at the paths their switch links
// use, and the contract files the pages link. Everything else still goes to the mock.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMock, startMock } from '../../src/dev/prism-mock.js';

describe('the mock serving the docs site', () => {
  let dir: string;
  let mock: RunningMock;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'b24-site-'));
    mkdirSync(join(dir, 'ru'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const en = file('index.html', '<html lang="en">English page</html>');
    const ru = file(join('ru', 'index.html'), '<html lang="ru">Русская страница</html>');
    mock = await startMock({
      port: 0,
      docsFile: en,
      docsFiles: {
        '/index.html': en,
        '/ru/': ru,
        '/ru/index.html': ru,
        '/openapi.ru.yaml': file('openapi.ru.yaml', 'openapi: 3.1.0\n'),
        '/openapi.ru.json': file('openapi.ru.json', '{}\n'),
      },
      spec: fileURLToPath(new URL('../../generated/openapi.bundle.yaml', import.meta.url)),
      prismCli: fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url)),
    });
  }, 60_000);
  afterAll(async () => {
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${mock.url}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('serves the English page at / and /index.html, the Russian one at /ru/ and /ru/index.html, as UTF-8 HTML', async () => {
    for (const path of ['/', '/index.html'])
      expect(await get(path), path).toEqual({ status: 200, type: 'text/html; charset=utf-8', text: '<html lang="en">English page</html>' });
    for (const path of ['/ru/', '/ru/index.html', '/ru/index.html?x=1']) {
      expect(await get(path), path).toEqual({ status: 200, type: 'text/html; charset=utf-8', text: '<html lang="ru">Русская страница</html>' });
    }
  });

  it('serves the Russian bundle with its content type', async () => {
    expect(await get('/openapi.ru.yaml')).toEqual({ status: 200, type: 'application/yaml; charset=utf-8', text: 'openapi: 3.1.0\n' });
    expect(await get('/openapi.ru.json')).toEqual({ status: 200, type: 'application/json; charset=utf-8', text: '{}\n' });
  });

  it('serves no other file: an unknown path goes to the mock, never to the disk', async () => {
    const answer = await get('/ru/../../etc/passwd');
    expect(answer.type).not.toBe('text/html; charset=utf-8');
    expect(answer.text).not.toContain('root:');
  });
});
