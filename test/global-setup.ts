import type { TestProject } from 'vitest/node';
import { startMock } from '../scripts/mock.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running mock, e.g. http://127.0.0.1:43121 */
    mockUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const mock = await startMock({ port: 0 });
  project.provide('mockUrl', mock.url);
  return () => mock.close();
}
