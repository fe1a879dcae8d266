import { filterWork } from './filter-work.js';

/** Whether `segment` (with `_` as any one character) occurs in `text` at `at`. */
function matchesAt(text: string, at: number, segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    filterWork.steps++;
    const wanted = segment.charCodeAt(i);
    if (wanted !== 95 /* _ */ && wanted !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** The leftmost place at or after `from` where `segment` occurs and ends by `end`, or -1. */
function search(text: string, segment: string, from: number, end: number): number {
  if (!segment.includes('_')) {
    const found = text.indexOf(segment, from);
    // A first-occurrence string search is linear in what it scans; count that much.
    filterWork.steps += (found < 0 ? text.length - from : found - from) + segment.length;
    return found >= 0 && found + segment.length <= end ? found : -1;
  }
  for (let at = from; at + segment.length <= end; at++) if (matchesAt(text, at, segment)) return at;
  return -1;
}

/**
 * A LIKE pattern (`%` any text, `_` any one UTF-16 unit, everything else literal) compiled into a
 * test that never backtracks: the first piece must start the text, the last must end it, and the
 * pieces between are found left to right, each at its leftmost place. Leftmost is always right for
 * such patterns, so a test costs at most text length × pattern length steps. Letter case is the
 * caller's business (the list filters lower-case both sides).
 */
export function compileLike(pattern: string): (text: string) => boolean {
  const pieces = pattern.split('%');
  if (pieces.length === 1) return (text) => text.length === pattern.length && matchesAt(text, 0, pattern);
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixed = pieces.reduce((sum, piece) => sum + piece.length, 0);
  return (text) => {
    filterWork.steps++;
    if (text.length < fixed || !matchesAt(text, 0, first)) return false;
    const end = text.length - last.length;
    let at = first.length;
    for (const piece of middle) {
      const found = search(text, piece, at, end);
      if (found < 0) return false;
      at = found + piece.length;
    }
    return at <= end && matchesAt(text, end, last);
  };
}
