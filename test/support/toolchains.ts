// The tool versions a consumer's project may use, and which of them this Node can run. A leg that the
// Node version makes impossible (msw 3 needs Node 22.12) is not a missing machine tool: it runs with
// the newest version this Node allows, prints a notice, and passes under CI=true too. The Node 24 leg
// of .ci/run and the workflow's matrix run the newer version.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const versionOf = (pkg: string): string => JSON.parse(readFileSync(`${root}/node_modules/${pkg}/package.json`, 'utf8')).version;

/** Whether the running Node is at least `minimum` (`'22.12'`). */
export function nodeAtLeast(minimum: string, running = process.versions.node): boolean {
  const [major = 0, minor = 0] = running.split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = minimum.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** The msw majors `b24-lead-contact/msw` supports (peer `^2 || ^3`), installed here as `msw` and `msw3`. */
const MSW = [
  { version: versionOf('msw3'), node: JSON.parse(readFileSync(`${root}/node_modules/msw3/package.json`, 'utf8')).engines.node.replace(/^>=\s*/, '') },
  { version: versionOf('msw'), node: '20.19' },
];

/** The newest msw this Node runs, with a notice when that is not the newest msw. */
export function mswForThisNode(suite: string): { version: string; major: number } {
  const [newest] = MSW;
  const usable = MSW.find((msw) => nodeAtLeast(msw.node))!;
  if (usable !== newest)
    console.warn(`\n[${suite}] msw ${newest!.version} needs Node ${newest!.node}: checking msw ${usable.version} on Node ${process.versions.node}.\n`);
  return { version: usable.version, major: Number(usable.version.split('.')[0]) };
}

/** The TypeScript compilers a consumer's file is checked with: the `tsc` of each installed line. */
export const TYPESCRIPTS = ['typescript', 'typescript6', 'typescript7'].map((pkg) => ({
  version: versionOf(pkg),
  tsc: `${root}/node_modules/${pkg}/bin/tsc`,
}));
