export interface RunningMock {
  port: number;
  url: string;
  close(): Promise<void>;
}
export function startMock(options?: { port?: number; host?: string; docsFile?: string; spec?: string }): Promise<RunningMock>;
export function parseMethodUrl(url: string): { method: string; form: 'webhook' | 'oauth' | 'bare'; searchParams: URLSearchParams } | null;
export function describeViolations(header: string): string;
export function decodeBracketForm(text: string): Record<string, unknown>;
export function coerceToSchema(value: unknown, schema: unknown, contract: unknown): unknown;
