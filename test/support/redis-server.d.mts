// Types for test/support/redis-server.mjs, so the TypeScript tests can import it.
export declare const REDIS_SERVER: string;
export declare const hasRedisServer: boolean;
export declare function startRedisServer(options?: { port?: number }): Promise<{ port: number; url: string; stop(): Promise<void> }>;
