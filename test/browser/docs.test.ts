// Opens the built docs page from disk in Debian's Chromium (driven by playwright-core) and checks
// what a reader sees. The list of methods comes from generated/openapi.bundle.json, so a new method is
// checked without touching this file. Without Chromium the suite is skipped with a notice, except
// under CI=true, where a missing browser fails.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractFiles, docsDir } from '../../scripts/docs.mjs';
import { SAMPLE_RULES } from '../support/code-samples.js';
import { resolveRef, spec } from '../support/helpers.js';
import { hasChromium, launchChromium, requireChromium } from '../support/chromium.js';
import { builtSite } from '../support/docs-site.js';

requireChromium('docs page in a real browser');

type Method = { name: string; summary: string; deprecated: boolean; fields: string[]; statuses: string[]; codes: string[] };

/** Top-level request body properties, through `$ref` and `allOf`. */
function propertiesOf(schema: any): string[] {
  const s = resolveRef(schema) ?? {};
  return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(propertiesOf)];
}

const errorCodes = (responses: Record<string, any>) =>
  Object.entries(responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, response]) => Object.values(resolveRef(response).content?.['application/json']?.examples ?? {}))
    .map((example) => String(resolveRef(example).value?.error));

const methods: Method[] = Object.entries<any>(spec.paths).map(([path, item]) => {
  const operation = item.post;
  return {
    name: path.slice(1),
    summary: operation.summary,
    deprecated: Boolean(operation.deprecated),
    fields: [...new Set(propertiesOf(operation.requestBody?.content?.['application/json']?.schema))],
    statuses: Object.keys(operation.responses),
    codes: [...new Set(errorCodes(operation.responses))],
  };
});

describe.skipIf(!hasChromium)('docs page in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let pageUrl: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // Always a fresh page, never a stale one: this run's build. Chromium starts while it is built.
    const [site] = await Promise.all([builtSite(), launchChromium().then((launched) => (browser = launched))]);
    pageUrl = pathToFileURL(site.en).href;
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, reducedMotion: 'reduce' });
    // Anything that tries to leave the page is recorded and refused.
    await context.route('**/*', (route) => (route.request().url().split('#')[0] === pageUrl ? route.continue() : route.abort()));
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(pageUrl);
    await page.locator('[data-component-name="Menu/MenuItem"]').first().waitFor();
  }, 60_000);

  afterAll(async () => {
    if (page) {
      await page.goto(`${pageUrl}#/`);
      await page.keyboard.press('Escape');
      mkdirSync(docsDir, { recursive: true });
      await page.screenshot({ path: join(docsDir, 'screenshot.png') });
    }
    await browser?.close();
  });

  it('finds the methods to check in the bundle', () => {
    expect(methods.length).toBeGreaterThan(0);
  });

  it('lists every method by name in the navigation', async () => {
    const items = await page.locator('[data-component-name="Menu/MenuItem"]').allInnerTexts();
    for (const method of methods) {
      expect(
        items.some((text) => text.startsWith(`${method.name} — `)),
        method.name,
      ).toBe(true);
    }
  });

  /** The labels of the code-sample menu. */
  const SAMPLE_TABS = ['cURL (webhook)', 'cURL (OAuth)', 'TypeScript', 'Payload'];

  /** The heading of a method's section and the text and code blocks of the block holding it (null if not rendered). */
  const readSection = (method: Method) =>
    page.evaluate(
      ({ start, headings, tabs }) => {
        const isOperationHeading = (h: Element) => headings.some((text) => h.textContent?.startsWith(text));
        const heading = [...document.querySelectorAll('h1, h2')].find((h) => h.textContent?.startsWith(start));
        if (!heading) return null;
        // The largest block holding this method's heading and no other method's.
        let block: Element = heading;
        while (block.parentElement && [...block.parentElement.querySelectorAll('h1, h2')].filter(isOperationHeading).length === 1) {
          block = block.parentElement;
        }
        return {
          heading: heading.textContent ?? '',
          text: (block as HTMLElement).innerText,
          code: [...block.querySelectorAll('pre')].map((pre) => (pre as HTMLElement).innerText),
          sampleTabs: [...block.querySelectorAll('button')].map((button) => (button as HTMLElement).innerText.trim()).filter((text) => tabs.includes(text)),
        };
      },
      { start: `${method.name} — `, headings: methods.map((m) => `${m.name} — `), tabs: SAMPLE_TABS },
    );

  /** Opens a method's section from the navigation. */
  async function openSection(method: Method) {
    await page
      .locator('[data-component-name="Menu/MenuItem"]', { hasText: `${method.name} — ` })
      .first()
      .click();
    // innerText, not textContent: a section Redoc has mounted but not yet shown reads as empty.
    await page.waitForFunction(
      (text) => [...document.querySelectorAll('h1, h2')].some((h) => (h as HTMLElement).innerText?.startsWith(text)),
      `${method.name} — `,
    );
    return (await readSection(method))!;
  }

  /** Switches the code-sample panel of a method's section to one tab. */
  async function chooseSample(method: Method, label: string) {
    const tabs = SAMPLE_TABS.map((tab) => `normalize-space()="${tab}"`).join(' or ');
    const button = page
      .locator('h1, h2', { hasText: `${method.name} — ` })
      .first()
      .locator(`xpath=following::button[${tabs}][1]`);
    // Centred first: the dropdown opens below the button, and on a long page the button can sit so
    // low that the menu would open outside the viewport, where it cannot be clicked.
    await button.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await button.click();
    await page.getByRole('menuitem', { name: label, exact: true }).first().click();
  }

  /**
   * A method's section, read again at each animation frame until `ready` holds: Redoc renders the code
   * samples of the sections near the viewport only, and after a scroll or a sample switch it renders
   * them when the machine gets to it, so this waits for that instead of giving it a time budget.
   */
  async function sectionOnce(method: Method, ready: (section: NonNullable<Awaited<ReturnType<typeof readSection>>>) => boolean) {
    for (;;) {
      const section = await readSection(method);
      if (section && ready(section)) return section;
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    }
  }

  /** Its sample menu is rendered, showing `label` (any label if not given), and its code blocks are filled in. */
  const samplesShown =
    (label?: string) =>
    ({ sampleTabs, code }: { sampleTabs: string[]; code: string[] }) =>
      sampleTabs.length > 0 && sampleTabs.every((tab) => !label || tab === label) && code.every((text) => text.trim() !== '');

  // One test per method: the work of each stays the same however many methods the contract grows to.
  it.each(methods.map((method) => [method.name, method] as const))(
    'renders the %s section with its name, request fields and error responses',
    async (_name, method) => {
      const section = await openSection(method);
      // Redoc badges a deprecated operation in its heading.
      expect(section.heading).toBe(method.deprecated ? `${method.summary} deprecated` : method.summary);
      for (const field of method.fields) expect(section.text, `${method.name}: field ${field}`).toMatch(new RegExp(`\\b${field}\\b`));
      for (const status of method.statuses) expect(section.text, `${method.name}: response ${status}`).toContain(status);
      for (const code of method.codes) expect(section.text, `${method.name}: error ${code}`).toContain(code === '' ? '""' : code);
    },
  );

  // Every method's samples are checked for content in Node (test/docs/code-samples.test.ts); here the
  // page shows and switches them for one method of each kind: a link change, a method without
  // parameters, a list and the duplicate search. Each method switches to one tab, the tabs taken in
  // turn, so every tab and every one of these methods is exercised once: a switch re-renders what is
  // on screen, and that is the costly part on a busy 2-core machine.
  const SAMPLE_METHODS = ['crm.lead.contact.add', 'crm.lead.contact.fields', 'crm.lead.list', 'crm.duplicate.findbycomm'];
  const sampleMethods = methods.filter((method) => SAMPLE_METHODS.includes(method.name));
  it('finds the methods whose samples it switches, at least one for each tab', () => {
    expect(sampleMethods.map((method) => method.name).sort()).toEqual([...SAMPLE_METHODS].sort());
    expect(sampleMethods.length).toBeGreaterThanOrEqual(SAMPLE_RULES.length);
  });
  it.each(
    sampleMethods
      .map((method, at) => [...SAMPLE_RULES[at % SAMPLE_RULES.length]!, method] as const)
      .map(([label, matches, method]) => [label, method.name, method, matches] as const),
  )('shows the generated %s code sample in the %s section', async (label, _name, method, matches) => {
    await openSection(method);
    const before = await sectionOnce(method, samplesShown());
    await chooseSample(method, label);
    // The menu shows the new label before the code blocks are rendered again: wait for new code too
    // (unless the tab was already the one shown).
    const unchanged = before.sampleTabs.every((tab) => tab === label);
    const { code } = await sectionOnce(
      method,
      (section) => samplesShown(label)(section) && (unchanged || JSON.stringify(section.code) !== JSON.stringify(before.code)),
    );
    expect(
      code.some((text) => matches(method.name, text)),
      `${label} sample for ${method.name}: ${JSON.stringify(code.map((text) => text.slice(0, 80)))}`,
    ).toBe(true);
  });

  it('names every documented error code in the introduction', async () => {
    await page.goto(`${pageUrl}#/section/errors`);
    const intro = await page.locator('main, body').first().innerText();
    for (const code of new Set(methods.flatMap((m) => m.codes))) expect(intro, `intro: ${code}`).toContain(code === '' ? '""' : code);
  });

  /**
   * How each method's heading is laid out, in the order of `methods`: its text, line by line as rendered, and
   * whether it overflows. One call for all headings: the layout after a resize is waited for once.
   */
  const headingLayouts = () =>
    page.evaluate(
      async (starts) => {
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const headings = [...document.querySelectorAll('h1, h2')];
        return starts.map((start) => {
          const heading = headings.find((h) => h.textContent?.startsWith(start));
          if (!heading) return null;
          const box = heading.getBoundingClientRect();
          const right = box.right - Number.parseFloat(getComputedStyle(heading).paddingRight);
          const lines: string[] = [];
          let top: number | undefined;
          let overflows = false;
          const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
            for (let i = 0; i < node.data.length; i++) {
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const rect = range.getClientRects()[0];
              if (rect && (top === undefined || rect.top > top + rect.height / 2)) lines.push('');
              if (rect) top = rect.top;
              // A space may hang past the edge at a line end; a visible character may not.
              if (rect && /\S/.test(node.data[i]!) && rect.right > right + 0.5) overflows = true;
              lines[Math.max(lines.length - 1, 0)] = (lines.at(-1) ?? '') + node.data[i];
            }
          }
          return { text: heading.textContent ?? '', lines, overflows };
        });
      },
      methods.map((method) => `${method.name} — `),
    );

  // One viewport size per test, all headings measured at once: a resize lays out every rendered section,
  // so resizing per method would grow with the contract (and took minutes on a busy 2-core machine).
  describe('method headings', () => {
    // The page keeps the sections it has shown: after the tests above this opens none; run alone, it
    // opens every section once, here rather than inside the first width's test.
    beforeAll(async () => {
      for (const method of methods) if (!(await readSection(method))) await openSection(method);
    });
    afterAll(() => page?.setViewportSize({ width: 1400, height: 1100 }));

    it.each([1400, 800, 400, 320])('breaks a long method name in its heading only after a dot, never overflowing, at %ipx', async (width) => {
      await page.setViewportSize({ width, height: 1100 });
      let breaksAtDots = 0;
      const layouts = await headingLayouts();
      for (const [index, method] of methods.entries()) {
        const layout = layouts[index]!;
        const where = `${method.name} at ${width}px: ${layout.lines.map((line) => `[${line}]`).join(' ')}`;
        expect(layout.lines.join(''), where).toBe(layout.text);
        // A line that ends inside the method name ends right after a dot, never inside a segment.
        let at = 0;
        for (const line of layout.lines.slice(0, -1)) {
          at += line.length;
          if (at < method.name.length) expect(line, where).toMatch(/\.$/);
          if (at < method.name.length) breaksAtDots++;
        }
        expect(layout.overflows, where).toBe(false);
      }
      // At a phone's width the longest names cannot fit on one line: the rule above is really exercised.
      if (width <= 400) expect(breaksAtDots, `names wrapped at a dot at ${width}px`).toBeGreaterThan(0);
    });
  });

  it('links the bundled contract, published beside the page as openapi.yaml and openapi.json', async () => {
    await page.goto(`${pageUrl}#/section/methods`);
    for (const [name, source] of Object.entries(contractFiles)) {
      const href = await page
        .locator(`a[href$="${name}"]`)
        .first()
        .evaluate((a) => (a as HTMLAnchorElement).href);
      expect(href).toBe(new URL(name, pageUrl).href);
      expect(readFileSync(fileURLToPath(href), 'utf8'), name).toBe(readFileSync(new URL(`../../generated/${source}`, import.meta.url), 'utf8'));
    }
  });

  // The Russian page's own switch back here is checked by test/browser/docs-ru.test.ts.
  it('is declared as English and links the Russian page, built beside it, with a visible switch', async () => {
    await page.goto(`${pageUrl}#/`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    const toRussian = page.locator('a.lang-switch');
    await expect.poll(() => toRussian.isVisible()).toBe(true);
    expect(await toRussian.innerText()).toBe('Русская версия');
    const href = await toRussian.evaluate((a) => (a as HTMLAnchorElement).href);
    expect(href).toBe(pathToFileURL((await builtSite()).ru).href);
  });

  it('finds a method with the search', async () => {
    const method = methods.at(-1)!;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await page.keyboard.type(method.name);
    const hit = page.locator('[data-component-name="Search/SearchItem"]', { hasText: method.summary }).first();
    await hit.waitFor();
    await hit.click();
    await page.waitForFunction((summary) => [...document.querySelectorAll('h1, h2')].some((h) => h.textContent === summary), method.summary);
  });

  it('logs no console errors and sends no request beyond the page itself', () => {
    expect(consoleErrors).toEqual([]);
    const outside = requests.filter((url) => url.split('#')[0] !== pageUrl && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(outside).toEqual([]);
  });
});
