/** The import cycles among the .ts files under `dir`, each a list of paths relative to `dir` that starts and ends with the same file. */
export function findCycles(dir: string): string[][];
