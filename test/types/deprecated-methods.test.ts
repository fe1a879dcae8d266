import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { spec } from '../support/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** TypeScript's "'{0}' is deprecated." suggestion: what an editor strikes through. */
const DEPRECATED = 6385;

const methods = Object.entries<any>(spec.paths).map(([path, item]) => [path.slice(1), Boolean(item.post.deprecated)] as const);
const deprecated = methods.filter(([, is]) => is).map(([name]) => name);

/** The methods an editor marks deprecated at each call through the client and through `cmd`. */
function markedDeprecated(): string[] {
  const fileName = join(root, 'test', 'types', '__deprecated-probe.ts');
  const calls = methods.map(([name]) => `client.${name};\ncmd.${name === 'batch' ? 'crm.lead.contact.add' : name};`).join('\n');
  const source = `import { cmd, createBitrix24Client } from '../../src/index.js';\ndeclare const client: ReturnType<typeof createBitrix24Client>;\n${calls}\n`;
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [fileName],
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      const text = name === fileName ? source : ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: (name) => name === fileName || ts.sys.fileExists(name),
    readFile: (name) => (name === fileName ? source : ts.sys.readFile(name)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host);
  return service
    .getSuggestionDiagnostics(fileName)
    .filter((d) => d.code === DEPRECATED)
    .map((d) => {
      const line = source.slice(0, d.start).split('\n').length - 1;
      return source.split('\n')[line]!.replace(/;$/, '');
    });
}

describe('deprecated methods are @deprecated where they are called', () => {
  it('the contract marks exactly the crm.lead.* and crm.contact.* record methods deprecated', () => {
    expect(deprecated.sort()).toEqual(
      ['add', 'get', 'list', 'update', 'delete', 'fields'].flatMap((verb) => [`crm.contact.${verb}`, `crm.lead.${verb}`]).sort(),
    );
  });

  it('an editor marks each of them, and nothing else, on the client and on cmd', () => {
    const marked = markedDeprecated();
    expect(marked.sort()).toEqual(deprecated.flatMap((name) => [`client.${name}`, `cmd.${name}`]).sort());
  });
});
