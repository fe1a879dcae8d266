export type OverlayProblem = { index: number; target: string; key: string | null };
export type OverlayReport = {
  unmatched: OverlayProblem[];
  missing: { target: string; key: string; english: string; hash: string }[];
  stale: { index: number; target: string; key: string; english: string; recorded: string | null; hash: string }[];
  invalid: { index: number; target: string; reason: string }[];
};
export const overlayFiles: { ru: string };
export const PROSE_KEYS: string[];
export const TRANSLATED_KEYS: string[];
export function sourceHash(text: string): string;
export function targetOf(steps: { key: string | number; node: unknown }[]): string;
export function proseStrings(spec: any): { node: object; target: string; key: string; text: string }[];
export function checkOverlay(spec: any, overlay: any): OverlayReport;
export function describeReport(report: OverlayReport, overlayName?: string): string[];
export function loadOverlay(file?: string): any;
export function loadBundle(): any;
export function actionStubs(missing: OverlayReport['missing']): string;
