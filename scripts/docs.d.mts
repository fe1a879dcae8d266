export const docsFile: string;
export function buildDocs(output?: string): string;
export function docsSpec(spec: any): any;
export function operationErrors(
  spec: any,
  operation: any,
): { status: number; name: string; code: string | undefined; summary?: string; description?: string }[];
export function codeSamples(spec: any, method: string, operation: any): { lang: string; label: string; source: string }[];
export const contractFiles: Record<string, string>;
