// The methods the contract marks deprecated (the vendor halted the crm.lead.* and crm.contact.*
// record methods in favour of crm.item.*) are marked so on both docs pages: Redoc badges an operation
// with `deprecated: true`, and the method overview of the introduction says it beside the method.
import { describe, expect, it } from 'vitest';
import { DOCS_STRINGS } from '../../scripts/docs-strings.mjs';
import { docsSpec } from '../../scripts/docs.mjs';
import { loadBundle } from '../../scripts/overlay.mjs';

const bundle = loadBundle() as { paths: Record<string, { post: { deprecated?: boolean; description: string } }> };
const methods = Object.entries(bundle.paths).map(([path, item]) => ({ name: path.slice(1), deprecated: Boolean(item.post.deprecated), item }));

describe('deprecated methods in the docs', () => {
  it('are the crm.lead.* and crm.contact.* record methods, each naming its crm.item.* successor', () => {
    const deprecated = methods.filter((method) => method.deprecated);
    expect(deprecated.map((method) => method.name).sort()).toEqual(
      ['add', 'delete', 'fields', 'get', 'list', 'update'].flatMap((verb) => [`crm.contact.${verb}`, `crm.lead.${verb}`]).sort(),
    );
    for (const { name, item } of deprecated) expect(item.post.description, name).toContain(`\`crm.item.${name.split('.').at(-1)}\``);
  });

  it.each(Object.values(DOCS_STRINGS))('are marked in the $lang method overview, and only they', (strings) => {
    const overview = docsSpec(loadBundle(), strings).info.description as string;
    for (const { name, deprecated } of methods) {
      const row = overview.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row!.includes(`**${strings.deprecated}**`), name).toBe(deprecated);
    }
  });
});
