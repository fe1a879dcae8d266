export function withoutProse<T>(spec: T): T;
export function differences(a: unknown, b: unknown, path?: string, found?: string[], limit?: number): string[];
export function compareRussianBundle(english: any, russian: any): string[];
