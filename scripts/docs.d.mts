import type { DocsStrings } from './docs-strings.mjs';
export const docsDir: string;
export const docsFile: string;
export const ruOverlay: string;
export function buildDocs(output?: string): string;
export function bundleRussian(siteDir?: string, overlayFile?: string): any;
export function buildRussianDocs(siteDir?: string, overlayFile?: string): string;
export function buildSite(siteDir?: string, options?: { overlayFile?: string }): { en: string; ru: string };
export function checkRussianOverlay(overlayFile?: string): void;
export class DocsCheckError extends Error {
  problems: string[];
  constructor(what: string, problems: string[]);
}
export function docsSpec(spec: any, strings?: DocsStrings): any;
export function operationErrors(
  spec: any,
  operation: any,
): { status: number; name: string; code: string | undefined; summary?: string; description?: string }[];
export function codeSamples(spec: any, method: string, operation: any, strings?: DocsStrings): { lang: string; label: string; source: string }[];
export const contractFiles: Record<string, string>;
export const ruContractFiles: string[];
