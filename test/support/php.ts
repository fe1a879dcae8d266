// Real PHP as the oracle of the wire format: Bitrix24 reads forms and batch commands with `parse_str`.
// One php process decodes a whole list of inputs (a JSON array on stdin), so a property test with
// hundreds of cases starts PHP once. Without php a suite is skipped with a notice, except under CI=true,
// where a missing php fails (as with redis-server and Chromium).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

export const PHP = process.env.PHP_PATH ?? '/usr/bin/php';
export const hasPhp = existsSync(PHP);

/** Prints the skip notice, or under CI=true declares a failing test, when php is missing. */
export function requirePhp(suite: string): void {
  if (hasPhp) return;
  const underCi = process.env.CI === 'true';
  console.warn(
    `\n[${suite}] ${PHP} not found: ${underCi ? 'FAILING (CI=true)' : 'SKIPPED'}. Install Debian's php-cli (apt-get install php-cli) or set PHP_PATH.\n`,
  );
  // Declared only when it must fail, so a normal run does not count it as skipped.
  if (underCi) {
    describe(suite, () => {
      it('has php to compare against (CI=true)', () => {
        throw new Error(`php not found at ${PHP}; .ci/run installs php-cli with apt-get, or set PHP_PATH.`);
      });
    });
  }
}

// Every string and key goes out as hex, so bytes that are not UTF-8 reach the test unchanged; each array
// as its [key, value] pairs in PHP's own order. `max_input_vars` (a start-up setting) is raised so long
// inputs are read whole.
const SCRIPT = `
function canon($v) {
  if (!is_array($v)) return bin2hex($v);
  $pairs = [];
  foreach ($v as $k => $x) $pairs[] = [bin2hex((string) $k), canon($x)];
  return ['pairs' => $pairs];
}
$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $query) {
  parse_str($query, $decoded);
  $out[] = canon($decoded);
}
echo json_encode($out);
`;

type Canon = string | { pairs: Array<[string, Canon]> };

const utf8 = (hex: string) => new TextDecoder().decode(Buffer.from(hex, 'hex'));

/**
 * A PHP array as plain data, by the rules our decoder documents: strings are PHP's bytes read as UTF-8
 * (U+FFFD for what is not UTF-8); an array keyed exactly 0…n−1, in any order, is a JavaScript array.
 */
function fromPhp(node: Canon, top: boolean): unknown {
  if (typeof node === 'string') return utf8(node);
  const entries = node.pairs.map(([key, value]) => [utf8(key), fromPhp(value, false)] as const);
  const keys = new Set(entries.map(([key]) => key));
  if (!top && entries.length > 0 && entries.every((_, i) => keys.has(String(i)))) {
    return entries
      .map(([key, value]) => [Number(key), value] as const)
      .sort(([a], [b]) => a - b)
      .map(([, value]) => value);
  }
  return Object.fromEntries(entries);
}

/** What PHP's `parse_str` makes of each query, as plain data (see {@link fromPhp}). One php process for all. */
export async function parseStrAll(queries: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn(PHP, ['-n', '-d', 'max_input_vars=100000', '-r', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(JSON.stringify(queries));
  const code = await exited;
  if (code !== 0) throw new Error(`php exited with ${code}: ${stderr.slice(0, 500)}`);
  return (JSON.parse(stdout) as Canon[]).map((node) => fromPhp(node, true) as Record<string, unknown>);
}
