// Types for bench/bitrix-server.mjs, so the TypeScript tests can import it.
export interface BitrixServerStats {
  requests: number;
  rejected: number;
  batches: number;
  commands: number;
  largestBatch: number;
  maxLevel: number;
}
export interface ParsedCommand {
  method: string;
  params: Record<string, any>;
}
export type CommandOutcome = { result: unknown } | { error: string; error_description: string };
export type CommandHandler = (command: ParsedCommand & { key: string }) => CommandOutcome;
export declare function parseQuery(query: string): Record<string, any>;
export declare function parseCommand(line: string): ParsedCommand;
export declare function defaultCommand(command: ParsedCommand): CommandOutcome;
export declare function runBatch(body: { cmd?: unknown; halt?: unknown }, command?: CommandHandler): Record<string, unknown>;
export declare function startBitrixServer(options?: {
  port?: number;
  bucket?: { drainPerSecond: number; burst: number };
  now?: () => number;
  command?: CommandHandler;
}): Promise<{ origin: string; webhookUrl: string; stats: BitrixServerStats; close(): Promise<void> }>;
