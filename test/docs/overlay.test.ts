// The Russian layer never falls out of date: every English string of the contract has Russian text
// in openapi/overlays/ru.yaml, written from the English text the contract has now, and every action
// of the overlay still lands on the contract. Each of the three checks is also fed a broken contract
// or overlay, to show that it fails, and names what to revisit. `npm run overlay:status` prints the
// same report with ready-to-paste actions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSite, DocsCheckError } from '../../scripts/docs.mjs';
import {
  actionStubs,
  checkOverlay,
  describeReport,
  loadBundle,
  loadOverlay,
  minimumRussianLength,
  notRussianFor,
  overlayFiles,
  proseStrings,
  sourceHash,
} from '../../scripts/overlay.mjs';

const contract = loadBundle();
const overlay = loadOverlay();
const report = checkOverlay(contract, overlay);
/** The report as the lines a maintainer reads, so a failure names each string to revisit. */
const problems = (r = report) => describeReport(r).join('\n');

describe('openapi/overlays/ru.yaml', () => {
  it('is a valid Overlay 1.0 document, as Redocly lints it', () => {
    expect(overlay.overlay).toBe('1.0.0');
    const redocly = new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url).pathname;
    // Throws, with Redocly's findings, when the overlay does not lint clean.
    execFileSync(process.execPath, [redocly, 'lint', overlayFiles.ru, '--format=stylish'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });

  it('has every action land on the contract: each target selects a node holding the English it translates', () => {
    expect(report.unmatched, problems()).toEqual([]);
  });

  it('gives every human-readable string of the contract its Russian text', () => {
    expect(proseStrings(contract).length).toBeGreaterThan(300);
    expect(report.missing, problems()).toEqual([]);
  });

  it('was written from the English text each string has now', () => {
    expect(report.stale, problems()).toEqual([]);
  });

  it('only translates: each action updates prose keys with Russian (Cyrillic) text', () => {
    expect(report.invalid, problems()).toEqual([]);
  });
});

describe('the overlay check, fed a broken contract or overlay', () => {
  it('reports an action whose target matches nothing, by its index and target', () => {
    const broken = structuredClone(overlay);
    broken.actions.push({
      target: "$.paths['/crm.lead.gone'].post",
      'x-source-hash': { summary: 'x' },
      update: { summary: 'crm.lead.gone — удалённый метод' },
    });
    const result = checkOverlay(contract, broken);
    expect(result.unmatched).toEqual([{ index: broken.actions.length - 1, target: "$.paths['/crm.lead.gone'].post", key: null }]);
    expect(problems(result)).toContain(`action #${broken.actions.length - 1}: target $.paths['/crm.lead.gone'].post matches nothing in the contract`);
  });

  it('reports an action whose target no longer holds the English string it translates', () => {
    const changed = structuredClone(contract);
    delete changed.paths['/crm.lead.get'].post.requestBody.description;
    const result = checkOverlay(changed, overlay);
    expect(result.unmatched).toEqual([expect.objectContaining({ target: "$.paths['/crm.lead.get'].post.requestBody", key: 'description' })]);
  });

  it('reports a new method without Russian text, naming each string by JSON path and English text', () => {
    const changed = structuredClone(contract);
    changed.paths['/crm.company.list'] = {
      post: {
        summary: 'crm.company.list — list companies',
        description: 'Returns companies page by page.',
        responses: { 200: { description: 'A page of companies.' } },
      },
    };
    const result = checkOverlay(changed, overlay);
    expect(result.missing).toEqual([
      {
        target: "$.paths['/crm.company.list'].post",
        key: 'summary',
        english: 'crm.company.list — list companies',
        hash: sourceHash('crm.company.list — list companies'),
      },
      {
        target: "$.paths['/crm.company.list'].post",
        key: 'description',
        english: 'Returns companies page by page.',
        hash: sourceHash('Returns companies page by page.'),
      },
      {
        target: "$.paths['/crm.company.list'].post.responses['200']",
        key: 'description',
        english: 'A page of companies.',
        hash: sourceHash('A page of companies.'),
      },
    ]);
    expect(problems(result)).toContain(`no Russian text for $.paths['/crm.company.list'].post.summary (English "crm.company.list — list companies"`);
    // The status script's stubs: one action per node, with the hashes filled in and the Russian left to write.
    const stubs = actionStubs(result.missing);
    expect(stubs).toContain(`- target: "$.paths['/crm.company.list'].post"`);
    expect(stubs).toContain(`summary: ${sourceHash('crm.company.list — list companies')}`);
    expect(stubs).toContain('# summary: crm.company.list — list companies');
  });

  it('reports Russian text written from English that has changed since, naming the string, the new English and both hashes', () => {
    const changed = structuredClone(contract);
    const english = `${changed.components.schemas.LeadId.description} Ids start at 1.`;
    changed.components.schemas.LeadId.description = english;
    const result = checkOverlay(changed, overlay);
    expect(result.stale).toEqual([
      {
        index: expect.any(Number),
        target: '$.components.schemas.LeadId',
        key: 'description',
        english,
        recorded: sourceHash(contract.components.schemas.LeadId.description),
        hash: sourceHash(english),
      },
    ]);
    expect(problems(result)).toContain(
      `English text changed since the Russian was written: $.components.schemas.LeadId.description (now ${JSON.stringify(english)}`,
    );
  });

  it('reports an action that leaves the English in place, or changes more than prose', () => {
    const broken = structuredClone(overlay);
    const action = broken.actions.find((a: any) => a.target === '$.components.schemas.LeadId');
    action.update.description = contract.components.schemas.LeadId.description;
    action.update.type = 'string';
    const reasons = checkOverlay(contract, broken).invalid.map((p) => p.reason);
    expect(reasons).toEqual([
      expect.stringMatching(/^update\.description: not Russian text \(0 Cyrillic and \d+ Latin letters outside code/),
      'update.type: only summary, description, title, x-displayName are translated',
    ]);
  });
});

describe('proseStrings (what counts as a human-readable string)', () => {
  const cases: [string, any, string[]][] = [
    [
      'descriptions, summaries and titles anywhere',
      { info: { title: 'T', description: 'D' }, paths: { '/m': { post: { summary: 'S' } } } },
      ['$.info.title', '$.info.description', "$.paths['/m'].post.summary"],
    ],
    [
      'a property named like a keyword is a name, not prose',
      { components: { schemas: { F: { properties: { title: { type: 'string', description: 'The title.' } } } } } },
      ['$.components.schemas.F.properties.title.description'],
    ],
    [
      'example values, defaults and enums are data',
      {
        components: {
          examples: { e: { summary: 'E', value: { title: 'data', description: 'data' } } },
          schemas: { s: { default: { title: 'x' }, examples: [{ title: 'x' }] } },
        },
      },
      ['$.components.examples.e.summary'],
    ],
    [
      'a tag is shown by its display name',
      { tags: [{ name: 'Leads', description: 'About leads.' }] },
      ["$.tags[?@.name=='Leads'].x-displayName", "$.tags[?@.name=='Leads'].description"],
    ],
    ['array members without a name are addressed by position', { servers: [{ url: 'u', description: 'Webhook' }] }, ['$.servers[0].description']],
  ];
  for (const [rule, spec, paths] of cases) {
    it(rule, () => {
      expect(proseStrings(spec).map((s) => `${s.target}.${s.key}`)).toEqual(paths);
    });
  }
});

describe('regression (issue 22 #11): a broken overlay fails the check and stops the docs build', () => {
  // Each case edits a temporary copy of the committed overlay as the report's reproduction did; the
  // committed file is never touched.
  const committed = readFileSync(overlayFiles.ru, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'b24-overlay-attack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const TARGET = "  - target: $.paths['/crm.lead.contact.add'].post\n";
  const afterTarget = (lines: string) => committed.replace(TARGET, `${TARGET}${lines}`);
  /** The action's whole description block replaced by `text`. */
  const withDescription = (text: string) => {
    const start = committed.indexOf(TARGET);
    const from = committed.indexOf('      description: |\n', start);
    const to = committed.indexOf('\n  - target: ', from);
    return `${committed.slice(0, from)}      description: ${JSON.stringify(text)}${committed.slice(to)}`;
  };

  const attacks: Array<[string, string, RegExp]> = [
    [
      'a) a typo in a target',
      committed.replace(TARGET, TARGET.replace('contact.add', 'contact.ad')),
      /target \$\.paths\['\/crm\.lead\.contact\.ad'\]\.post matches nothing/,
    ],
    [
      'a) variant: a target moved to a node without the string',
      committed.replace(TARGET, TARGET.replace('.post\n', '.post.requestBody\n')),
      /has no English summary to translate/,
    ],
    ['b) remove: true beside the update', afterTarget('    remove: true\n'), /remove: an action only translates/],
    ['b) variant: copy beside the update', afterTarget("    copy: $.paths['/crm.lead.delete'].post\n"), /copy: an action only translates/],
    [
      'c) a YAML merge key that brings in remove',
      afterTarget('    <<: *gone\n').replace('actions:\n', 'x-defs:\n  gone: &gone\n    remove: true\nactions:\n'),
      /a YAML merge key \(<<\) is refused/,
    ],
    [
      'c) variant: a merge key anywhere else in the file',
      committed.replace('actions:\n', 'x-defs:\n  gone: &gone\n    remove: true\n  again:\n    <<: *gone\nactions:\n'),
      /\$\["x-defs"\]\["again"\]\["<<"\]: a YAML merge key \(<<\) is refused/,
    ],
    ['d) a one-letter "translation"', withDescription('Я'), /update\.description: too short to translate its English \(1 characters for \d+/],
    [
      'd) variant: the English left in place, one Russian word added',
      withDescription('Лид. Adds one contact to the list of contacts linked to a lead, and says which one is primary.'),
      /update\.description: not Russian text/,
    ],
  ];

  it.each(attacks)('%s', (_name, text, reason) => {
    const file = join(dir, `ru-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    // `npm run docs` (buildSite) runs the overlay check (checkOverlay, as overlay:status and the tests
    // above) and stops, naming the problem, before it writes a page.
    const site = join(dir, `site-${Math.random().toString(36).slice(2)}`);
    let stopped: unknown;
    try {
      buildSite(site, { overlayFile: file });
    } catch (error) {
      stopped = error;
    }
    expect(stopped).toBeInstanceOf(DocsCheckError);
    expect((stopped as Error).message).toMatch(reason);
    expect(existsSync(join(site, 'index.html'))).toBe(false);
  });

  it('holds every committed translation to the same rules', () => {
    expect(report.invalid, problems()).toEqual([]);
  });

  it.each([
    ['Имя.', 'First name.', undefined],
    ['crm.lead.add — создать лид', 'crm.lead.add — create a lead', undefined],
    ['type — не EMAIL и не PHONE', 'type is neither EMAIL nor PHONE', undefined],
    ['Я', 'Adds one contact to the list of contacts linked to a lead.', /too short/],
    ['Лид: the lead that was created.', 'The lead that was created.', /not Russian text/],
    ['`crm.lead.add`', '`crm.lead.add`', /not Russian text/],
  ])('notRussianFor(%j, %j)', (russian, english, verdict) => {
    const wrong = notRussianFor(russian, english);
    if (verdict) expect(wrong).toMatch(verdict);
    else expect(wrong).toBeUndefined();
    expect(minimumRussianLength(english)).toBeLessThanOrEqual(english.length);
  });
});
