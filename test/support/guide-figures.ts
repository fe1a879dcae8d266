// The figures a guide quotes, read back from its text, so a test can hold them to the code they describe.
import { readFileSync } from 'node:fs';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** A guide's text (path from the repository root), with line breaks read as spaces. */
export function guideText(file: string): string {
  return readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8').replace(/\s*\n\s*/g, ' ');
}

/** The first group of `pattern` in a guide; fails with the guide's name when the sentence is gone. */
export function quoted(file: string, pattern: RegExp): string {
  const match = pattern.exec(guideText(file));
  if (!match?.[1]) throw new Error(`${file} no longer says ${pattern}: update the guide or this check`);
  return match[1];
}

/** How a guide writes a small count: `three`. */
export function numberWord(count: number): string {
  return NUMBER_WORDS[count] ?? String(count);
}

/** `crm.lead.add|get|delete` → `crm.lead.add`, `crm.lead.get`, `crm.lead.delete`; a plain name stays as it is. */
export function expandMethods(text: string): string[] {
  return [...text.matchAll(/`((?:[a-z]+\.)+)([a-z|]+)`/g)].flatMap(([, family, leaves]) => leaves!.split('|').map((leaf) => `${family}${leaf}`));
}
