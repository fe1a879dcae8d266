import { mask } from './connection.js';
import type { Violation } from './contract-checks.js';

export interface ReportRow {
  method: string;
  label: string;
  violations: Violation[];
}

/** The report: one PASS/FAIL line per checked case, printed as it happens, every line masked. */
export interface Report {
  readonly rows: ReportRow[];
  add(method: string, label: string, violations: Violation[]): void;
  note(text: string): void;
  /**
   * Masks a credential seen in traffic (an app's own token through the proxy) in every later line
   * too, wherever it shows up; the last {@link MAX_LEARNED} are kept.
   */
  learn(secret: string): void;
  /** A text masked as the report's lines are. */
  mask(text: string): string;
  /** `N checked, N passed, N with violations.` */
  summary(): string;
  readonly failed: number;
}

/** How many credentials seen in traffic a report keeps masking: an app uses a handful. */
export const MAX_LEARNED = 64;

export function createReport(given: readonly string[], out: (line: string) => void = console.log): Report {
  const rows: ReportRow[] = [];
  const learned: string[] = [];
  let secrets: readonly string[] = given;
  const failed = () => rows.filter((row) => row.violations.length > 0).length;
  return {
    rows,
    add(method, label, violations) {
      rows.push({ method, label, violations });
      out(mask(`${violations.length ? 'FAIL' : 'PASS'}  ${method.padEnd(30)} ${label}`, secrets));
      for (const v of violations) out(mask(`      violation at ${v.path}: ${v.message}`, secrets));
    },
    note(text) {
      out(mask(`      ${text}`, secrets));
    },
    learn(secret) {
      if (secret === '' || secrets.includes(secret)) return;
      learned.push(secret);
      if (learned.length > MAX_LEARNED) learned.shift();
      secrets = [...given, ...learned];
    },
    mask: (text) => mask(text, secrets),
    summary() {
      return `${rows.length} checked, ${rows.length - failed()} passed, ${failed()} with violations.`;
    },
    get failed() {
      return failed();
    },
  };
}
