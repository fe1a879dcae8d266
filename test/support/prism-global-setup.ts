import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startMock } from '../../src/dev/prism-mock.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running mock, e.g. http://127.0.0.1:43121 */
    mockUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const mock = await startMock({
    port: 0,
    spec: fileURLToPath(new URL('../../generated/openapi.bundle.yaml', import.meta.url)),
    prismCli: fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url)),
  });
  project.provide('mockUrl', mock.url);
  return () => mock.close();
}
