// The event deliveries (OpenAPI 3.1 `webhooks`) on the docs page: kept with their tag in the docs copy,
// listed in the overview, and rendered by Redoc as their own group in the menu.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { docsSpec } from '../../scripts/docs.mjs';
import { loadBundle } from '../../scripts/overlay.mjs';
import { builtSite } from '../support/docs-site.js';

const DELIVERIES = ['ONAPPINSTALL', 'ONCRMLEADADD', 'ONCRMLEADUPDATE', 'ONCRMLEADDELETE', 'ONCRMCONTACTADD', 'ONCRMCONTACTUPDATE', 'ONCRMCONTACTDELETE'];

describe('the deliveries on the docs page', () => {
  const docs = docsSpec(loadBundle()) as { webhooks: Record<string, { post: { tags: string[] } }>; info: { description: string } };
  let html: string;

  beforeAll(async () => {
    html = readFileSync((await builtSite()).en, 'utf8');
  });

  it('keeps every delivery under the Event deliveries tag, the one tag Redoc needs to render them', () => {
    expect(Object.keys(docs.webhooks).sort()).toEqual([...DELIVERIES].sort());
    for (const name of DELIVERIES) expect(docs.webhooks[name]!.post.tags).toEqual(['Event deliveries']);
  });

  it('lists every delivery in the overview', () => {
    for (const name of DELIVERIES) expect(docs.info.description).toContain(`| \`${name}\` |`);
  });

  it('renders the Event deliveries group in the menu', () => {
    expect(html).toMatch(/data-text="Event deliveries"/);
  });
});
