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
  /** `N checked, N passed, N with violations.` */
  summary(): string;
  readonly failed: number;
}

export function createReport(secrets: readonly string[], out: (line: string) => void = console.log): Report {
  const rows: ReportRow[] = [];
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
    summary() {
      return `${rows.length} checked, ${rows.length - failed()} passed, ${failed()} with violations.`;
    },
    get failed() {
      return failed();
    },
  };
}
