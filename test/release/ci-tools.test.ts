// .ci/run and the GitHub test workflow must give the suite the same tools: a tool installed by one and
// forgotten by the other makes its tests fail under CI=true there (the workflow once had no Redis, so
// the fleet tests failed on every Node version and release.yml never published).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The packages named by every `apt-get install` in a shell script, options and comment lines left out. */
function aptPackages(script: string): string[] {
  const code = script
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  const packages = [...code.matchAll(/apt-get\s+install\b([^\n&|;>]*)/g)].flatMap(([, args]) =>
    args!
      .trim()
      .split(/\s+/)
      .filter((word) => word && !word.startsWith('-')),
  );
  return [...new Set(packages)].sort();
}

/**
 * Tools a GitHub-hosted runner image already has and a job finds with a named step, instead of
 * installing them: Ubuntu's `chromium` package is only a snap wrapper, the image's own Chromium is used.
 */
const FROM_RUNNER_IMAGE: Record<string, string> = { chromium: 'Locate Chromium' };

type Step = { name?: string; run?: string; uses?: string };
type Job = { steps?: Step[]; uses?: string };

/** Every job of every workflow whose steps run `npm test`, with its steps. */
function jobsRunningTests() {
  const dir = '.github/workflows';
  const files = readdirSync(new URL(`../../${dir}/`, import.meta.url)).filter((name) => /\.ya?ml$/.test(name));
  return files.flatMap((file) =>
    Object.entries<Job>(parse(read(`${dir}/${file}`)).jobs ?? {})
      .filter(([, job]) => job.steps?.some((step) => /(^|\s)npm (run )?test\b/m.test(step.run ?? '')))
      .map(([id, job]) => ({ where: `${file} job ${id}`, steps: job.steps! })),
  );
}

describe('tools of .ci/run and of the test workflow', () => {
  it('reads the apt-get installs of a script, options, redirections and comments left out', () => {
    const script = `# a comment that says apt-get install is done here
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
sudo apt-get install -y redis-server php-cli
apt-get install --no-install-recommends -y jq && echo done`;
    expect(aptPackages(script)).toEqual(['chromium', 'jq', 'php-cli', 'redis-server']);
  });

  it('.ci/run installs Chromium, redis-server and php-cli', () => {
    expect(aptPackages(read('.ci/run'))).toEqual(['chromium', 'php-cli', 'redis-server']);
  });

  it('finds the workflow jobs that run npm test', () => {
    expect(jobsRunningTests().map((job) => job.where)).toContain('test.yml job test');
  });

  it('every job that runs npm test installs each tool .ci/run installs, or finds it on the runner image', () => {
    const tools = aptPackages(read('.ci/run'));
    for (const job of jobsRunningTests()) {
      const installed = aptPackages(job.steps.map((step) => step.run ?? '').join('\n'));
      const located = job.steps.map((step) => step.name);
      for (const tool of tools) {
        const provided = installed.includes(tool) || (tool in FROM_RUNNER_IMAGE && located.includes(FROM_RUNNER_IMAGE[tool]));
        expect(provided, `${job.where} provides ${tool} (.ci/run installs it)`).toBe(true);
      }
      // And the other way round: the workflow installs nothing the local CI run would lack.
      for (const tool of installed) expect(tools, `.ci/run installs ${tool} (${job.where} does)`).toContain(tool);
    }
  });
});
