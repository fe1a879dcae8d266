// Every method's code samples, as the docs-only copy of the contract gives them to the page: the cURL
// forms hit the method's own URL and the TypeScript one calls it through this package's client. The
// browser test (test/browser/docs.test.ts) shows that the page renders and switches them.
import { describe, expect, it } from 'vitest';
import { docsSpec } from '../../scripts/docs.mjs';
import { loadBundle } from '../../scripts/overlay.mjs';
import { SAMPLE_RULES } from '../support/code-samples.js';

const docs = docsSpec(loadBundle()) as {
  paths: Record<string, { post: { 'x-oauth-only'?: boolean; 'x-codeSamples': Array<{ label: string; source: string }> } }>;
};
const methods = Object.keys(docs.paths).map((path) => path.slice(1));

describe('the code samples of every method', () => {
  it('covers every method of the contract', () => {
    expect(methods.length).toBeGreaterThan(15);
  });

  it.each(methods)('%s has a cURL (webhook) (unless only an app may call it), a cURL (OAuth) and a TypeScript sample of itself', (name) => {
    const { 'x-codeSamples': samples, 'x-oauth-only': oauthOnly } = docs.paths[`/${name}`]!.post;
    const rules = SAMPLE_RULES.filter(([label]) => !(oauthOnly && label === 'cURL (webhook)'));
    expect(samples.map((sample) => sample.label)).toEqual(rules.map(([label]) => label));
    if (oauthOnly) expect(samples.find((s) => s.label === 'TypeScript')!.source).toContain('accessToken');
    for (const [label, rule] of rules) {
      const sample = samples.find((s) => s.label === label)!;
      expect(rule(name, sample.source.trim()), `${label} sample for ${name}: ${sample.source.slice(0, 120)}`).toBe(true);
    }
  });
});
