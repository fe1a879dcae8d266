// What a reader sees on a docs page, read through Chromium: a method's section, the fonts the prose
// is set in, and whether letters are drawn with real glyphs.
import type { Page } from 'playwright-core';

export type DocsMethod = { name: string; summary: string; deprecated?: boolean; codes: string[] };

/** Follows a local `$ref` inside a bundle. */
function deref(spec: any, node: any): any {
  while (node?.$ref) {
    node = String(node.$ref)
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at: any, key) => at?.[key], spec);
  }
  return node;
}

/** The `error` codes of an operation's documented error examples, each once. */
export function errorCodesOf(spec: any, responses: Record<string, any>): string[] {
  const codes = Object.entries(responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, response]) => Object.values<any>(deref(spec, response)?.content?.['application/json']?.examples ?? {}))
    .map((example) => String(deref(spec, example)?.value?.error));
  return [...new Set(codes)];
}

/**
 * Opens a method's section from the navigation and returns its heading and the text of the largest
 * block that holds this method's heading and no other method's.
 */
export async function openMethodSection(page: Page, method: DocsMethod, all: DocsMethod[]) {
  const start = `${method.name} — `;
  await page.locator('[data-component-name="Menu/MenuItem"]', { hasText: start }).first().click();
  // innerText, not textContent: a section Redoc has mounted but not yet shown reads as empty.
  await page.waitForFunction((text) => [...document.querySelectorAll('h1, h2')].some((h) => (h as HTMLElement).innerText?.startsWith(text)), start);
  const section = await page.evaluate(
    ({ start, headings }) => {
      const isOperationHeading = (h: Element) => headings.some((text) => h.textContent?.startsWith(text));
      const heading = [...document.querySelectorAll('h1, h2')].find((h) => h.textContent?.startsWith(start));
      if (!heading) return null;
      let block: Element = heading;
      while (block.parentElement && [...block.parentElement.querySelectorAll('h1, h2')].filter(isOperationHeading).length === 1) block = block.parentElement;
      return { heading: heading.textContent ?? '', text: (block as HTMLElement).innerText };
    },
    { start, headings: all.map((m) => `${m.name} — `) },
  );
  if (!section) throw new Error(`${method.name}: section not rendered`);
  return section;
}

/** The font shorthands (`16px "Inter", sans-serif`, …) the page sets its headings, text, tables and links in. */
export function proseFonts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const fonts = new Set<string>();
    for (const element of document.querySelectorAll('h1, h2, h3, p, li, td, th, a')) {
      if (!/\p{Script=Cyrillic}/u.test(element.textContent ?? '')) continue;
      const style = getComputedStyle(element);
      fonts.add(`${style.fontStyle} ${style.fontWeight} 32px ${style.fontFamily}`);
    }
    return [...fonts];
  });
}

/**
 * The characters that a font (with the browser's fallback fonts) draws as the missing-glyph box or
 * not at all: each is drawn on a canvas and compared, pixel by pixel, with a code point no font has.
 */
export function missingGlyphs(page: Page, font: string, chars: string[]): Promise<string[]> {
  return page.evaluate(
    ({ font, chars }) => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      const draw = (char: string) => {
        context.clearRect(0, 0, 64, 64);
        context.font = font;
        context.textBaseline = 'top';
        context.fillStyle = '#000';
        context.fillText(char, 8, 8);
        return context.getImageData(0, 0, 64, 64).data;
      };
      const box = draw('\u{10FFFD}'); // Supplementary Private Use Area-B: no font covers it
      const same = (a: Uint8ClampedArray, b: Uint8ClampedArray) => a.every((value, i) => value === b[i]);
      return chars.filter((char) => {
        const pixels = draw(char);
        return pixels.every((value, i) => i % 4 !== 3 || value === 0) || same(pixels, box);
      });
    },
    { font, chars },
  );
}
