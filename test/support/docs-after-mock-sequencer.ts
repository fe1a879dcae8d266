import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (longest first when it knows the last run's times, else largest file first; one
 * project after another, by name), with one change: the suites that wait for the docs build
 * (project `docs-site`) start after the mock's suites instead of first, so the site builds while
 * the contract suites run rather than while both workers wait for it.
 */
export default class DocsAfterMockSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const docs = sorted.filter((spec) => spec.project.name === 'docs-site');
    const rest = sorted.filter((spec) => spec.project.name !== 'docs-site');
    const afterMock = rest.filter((spec) => spec.project.name === 'mock').length; // the mock's suites come first, by name
    return [...rest.slice(0, afterMock), ...docs, ...rest.slice(afterMock)];
  }
}
