// Opens the Russian docs page from disk in Debian's Chromium and checks what a Russian-speaking reader
// sees: every method, every error code, Cyrillic text that is neither mojibake nor missing-glyph boxes,
// and the switch links between the two pages. The site is the run's own build (in a temporary folder,
// shared with the English docs test, which only reads it too). The methods come from the Russian bundle
// the build writes, so a new method is checked without touching this file.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsDir } from '../../scripts/docs.mjs';
import { hasChromium, launchChromium, requireChromium } from '../support/chromium.js';
import { builtSite } from '../support/docs-site.js';
import { type DocsMethod, errorCodesOf, missingGlyphs, openMethodSection, proseFonts } from '../support/docs-reader.js';

requireChromium('Russian docs page in a real browser');

/**
 * How many tags the contract has, known before the site is built: the section test visits one method
 * of each (test/docs/russian-docs.test.ts holds every method's Russian text to the English in Node).
 */
const tagCount = new Set(
  Object.values<any>(JSON.parse(readFileSync(new URL('../../generated/openapi.bundle.json', import.meta.url), 'utf8')).paths).map((item) => item.post.tags[0]),
).size;
/** Per method visit: opening a section may take a few seconds on a busy machine. */
const perVisit = 5_000;

/** Words a reader of this contract meets on the Russian page, Bitrix24's own terms among them. */
const EXPECTED_WORDS = ['лид', 'контакт', 'привязк', 'основной контакт', 'вебхук', 'Ошибки', 'Методы'];
/** UTF-8 Cyrillic read as Latin-1 or Windows-1252: "Ð" or "Ñ" then a continuation byte's character. */
const MOJIBAKE = /[ÐÑ][\u0080-\u00BF\u0152-\u0178\u2018-\u203A]/;

describe.skipIf(!hasChromium)('Russian docs page in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let siteDir: string;
  let ruUrl: string;
  let enUrl: string;
  let methods: DocsMethod[] = [];
  /** The first method of each tag: one section of each kind is opened in the browser. */
  let onePerTag: DocsMethod[] = [];
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // A fresh site, both languages, as `npm run docs` writes it; Chromium starts while it is built.
    const [pages] = await Promise.all([builtSite(), launchChromium().then((launched) => (browser = launched))]);
    siteDir = pages.dir;
    ruUrl = pathToFileURL(pages.ru).href;
    enUrl = pathToFileURL(pages.en).href;
    const ruSpec = JSON.parse(readFileSync(join(siteDir, 'openapi.ru.json'), 'utf8'));
    methods = Object.entries<any>(ruSpec.paths).map(([path, item]) => ({
      name: path.slice(1),
      summary: item.post.summary,
      deprecated: Boolean(item.post.deprecated),
      codes: errorCodesOf(ruSpec, item.post.responses),
    }));
    const tags = new Map<string, DocsMethod>();
    for (const [path, item] of Object.entries<any>(ruSpec.paths))
      if (!tags.has(item.post.tags[0])) tags.set(item.post.tags[0], methods.find((m) => m.name === path.slice(1))!);
    onePerTag = [...tags.values()];
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 }, reducedMotion: 'reduce' });
    // The two pages may load; anything else that tries to leave the page is recorded and refused.
    const allowed = new Set([ruUrl, enUrl]);
    await context.route('**/*', (route) => (allowed.has(route.request().url().split('#')[0]!) ? route.continue() : route.abort()));
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(ruUrl);
    await page.locator('[data-component-name="Menu/MenuItem"]').first().waitFor();
  }, 120_000);

  afterAll(async () => {
    if (page) {
      await page.goto(`${ruUrl}#/`);
      await page.locator('[data-component-name="Menu/MenuItem"]').first().waitFor();
      await page.keyboard.press('Escape');
      mkdirSync(docsDir, { recursive: true });
      await page.screenshot({ path: join(docsDir, 'screenshot.ru.png') });
    }
    await browser?.close();
  });

  /** The page's text once an introduction section (by its slug) shows its heading. */
  async function readSection(slug: string, heading: string) {
    await page.goto(`${ruUrl}#/section/${slug}`);
    await page.locator('h1, h2', { hasText: heading }).first().waitFor();
    return page.locator('body').innerText();
  }

  it('finds the methods to check in the Russian bundle, each with a Russian summary', () => {
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods)
      expect(method.summary, method.name).toMatch(new RegExp(`^${method.name.replace(/\./g, '\\.')} — .*\\p{Script=Cyrillic}`, 'u'));
  });

  it('is declared as Russian and read as UTF-8', async () => {
    expect(await page.evaluate(() => ({ lang: document.documentElement.lang, charset: document.characterSet }))).toEqual({ lang: 'ru', charset: 'UTF-8' });
  });

  it('lists every method by its Russian summary in the navigation', async () => {
    const items = await page.locator('[data-component-name="Menu/MenuItem"]').allInnerTexts();
    for (const method of methods)
      expect(
        items.some((text) => text.startsWith(method.summary)),
        method.summary,
      ).toBe(true);
  });

  it('shows a method of each tag with its Russian heading, its error table and every error code it documents', { timeout: tagCount * perVisit }, async () => {
    expect(onePerTag.length).toBe(tagCount);
    for (const method of onePerTag) {
      const section = await openMethodSection(page, method, methods);
      // Redoc's own badge on a deprecated operation; its interface words stay English (docs/russian.md).
      expect(section.heading).toBe(method.deprecated ? `${method.summary} deprecated` : method.summary);
      if (method.codes.length) expect(section.text, `${method.name}: error table`).toContain('Ошибки');
      for (const code of method.codes) expect(section.text, `${method.name}: error ${code}`).toContain(code === '' ? '""' : code);
    }
  });

  it('names every documented error code in the introduction', async () => {
    const intro = await readSection('oshibki', 'Ошибки');
    for (const code of new Set(methods.flatMap((m) => m.codes))) expect(intro, `intro: ${code}`).toContain(code === '' ? '""' : code);
  });

  it('shows Cyrillic text, not mojibake: the expected words, no replacement characters', async () => {
    const text = await readSection('kak-vyzvat-metod', 'Как вызвать метод');
    for (const word of EXPECTED_WORDS) expect(text, word).toContain(word);
    expect(text).not.toContain('\uFFFD');
    expect(text.match(MOJIBAKE)?.[0] ?? null).toBeNull();
  });

  it('draws every Cyrillic letter on the page with a real glyph, never the missing-glyph box', async () => {
    const text = await readSection('oshibki', 'Ошибки');
    const letters = [...new Set(text.match(/\p{Script=Cyrillic}/gu) ?? [])];
    expect(letters.length).toBeGreaterThan(20);
    const fonts = await proseFonts(page);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      // The detector itself: a private-use code point no font covers is reported missing.
      expect(await missingGlyphs(page, font, ['\u{10FFFC}']), `detector, ${font}`).toEqual(['\u{10FFFC}']);
      expect(await missingGlyphs(page, font, letters), font).toEqual([]);
    }
  });

  it('links the Russian bundle, published beside the English one as openapi.ru.yaml and openapi.ru.json', async () => {
    await page.goto(`${ruUrl}#/`);
    for (const name of ['openapi.ru.yaml', 'openapi.ru.json']) {
      const link = page.locator(`a[href$="${name}"]`).first();
      await link.waitFor({ state: 'attached' });
      const href = await link.evaluate((a) => (a as HTMLAnchorElement).href);
      expect(href).toBe(new URL(`../${name}`, ruUrl).href);
    }
  });

  // The English page's switch back here, and that page's language, are checked by
  // test/browser/docs.test.ts, where that page is open anyway: a load of either page costs seconds on
  // a busy machine (about 3 MB, prerendered).
  it('links the English page, built beside it, with a visible switch', async () => {
    await page.goto(`${ruUrl}#/`);
    const toEnglish = page.locator('a.lang-switch');
    await expect.poll(() => toEnglish.isVisible()).toBe(true);
    expect(await toEnglish.innerText()).toBe('English version');
    expect(await toEnglish.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(enUrl);
  });

  it('logs no console errors and sends no request beyond the two pages', () => {
    expect(consoleErrors).toEqual([]);
    const pages = new Set([ruUrl, enUrl]);
    const outside = requests.filter((url) => !pages.has(url.split('#')[0]!) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(outside).toEqual([]);
  });
});
