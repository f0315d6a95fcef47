/**
 * The shape of the code base: no file in lib/ over 450 lines; no import cycle among lib/'s
 * modules, type-only imports included; README.md under 10 KB; docs/ARCHITECTURE.md names only
 * files and folders that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, filesUnder } from './build.js';

const MAX_LINES = 450;
const libFiles = () => filesUnder('lib').filter((f) => f.endsWith('.ts'));

/**
 * The lib/ modules that `file` imports statically: import and export-from declarations (type-only
 * too), `import x = require()`, and `import('…')` types. An `import()` call loads a module on
 * first use, at run time, and is not an edge here.
 */
export function staticImports(file: string, text: string, known: ReadonlySet<string>): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const out = new Set<string>();
  for (const specifier of specifiers) {
    if (!specifier.startsWith('.')) continue;
    const base = normalize(join(dirname(file), specifier)).replace(/\\/g, '/');
    const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
    const found = candidates.find((c) => known.has(c));
    if (found) out.add(found);
  }
  return [...out];
}

/** Every cycle of the graph, each once, as the list of its modules from its first (sorted) member back to it. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's strongly connected components; a component of more than one module, or a module
  // importing itself, holds a cycle: one is reported per component, found by a walk inside it.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) strongConnect(v);
  return components.map((component) => {
    const members = new Set(component);
    const start = component[0]!;
    // Breadth-first from start, inside the component, back to start: the shortest such cycle.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w)) continue;
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return [...path, start];
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return [...component, start];
  });
}

/** Folders of the repository whose paths the docs name; a path into one of them must exist. */
const REPO_FOLDERS = ['lib', 'test', 'bench', 'tools', 'demo', 'e2e', 'docs', 'shared', 'public', '.ci'];
/** Where a bare source-file name (`select.ts`) must be found. */
const SOURCE_FOLDERS = ['lib', 'test', 'bench', 'tools', 'demo', 'e2e'];

/**
 * What a document names: repository paths (`lib/worker/host.ts`, `test/batch/`, `lib/batch/*.ts`
 * → its folder), and bare TypeScript / .mjs file names (`select.ts`). Package subpaths
 * (`ml-predict/registry`) and built files (`dist/…`, `runtime.js`) are not repository files.
 */
export function namedFiles(text: string): { paths: string[]; names: string[] } {
  const paths = new Set<string>();
  const names = new Set<string>();
  for (const m of text.matchAll(/(?<![\w./@-])((?:\.?[\w-]+)(?:\/[\w.*-]*)+)/g)) {
    const token = m[1]!.replace(/[.]+$/, '');
    if (!REPO_FOLDERS.includes(token.split('/')[0]!)) continue;
    paths.add(token.includes('*') ? token.slice(0, token.lastIndexOf('/', token.indexOf('*')) + 1) : token);
  }
  for (const m of text.matchAll(/(?<![\w./-])([\w-]+(?:\.[\w-]+)*\.(?:ts|mjs))\b/g)) names.add(m[1]!);
  return { paths: [...paths], names: [...names] };
}

describe('architecture', () => {
  it(`no file in lib/ has more than ${MAX_LINES} lines`, () => {
    const long = libFiles()
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it('the cycle finder finds a cycle through type-only imports, and only real cycles', () => {
    const known = new Set(['lib/a.ts', 'lib/b/c.ts', 'lib/b/index.ts', 'lib/d.ts']);
    expect(staticImports('lib/a.ts', "import type { C } from './b/c.js';\nexport { x } from './b';\nconst y = import('./d.js');", known)).toEqual(['lib/b/c.ts', 'lib/b/index.ts']);
    expect(staticImports('lib/b/c.ts', "let a: import('../a.js').A;", known)).toEqual(['lib/a.ts']);
    const graph = new Map([
      ['lib/a.ts', ['lib/b/c.ts']],
      ['lib/b/c.ts', ['lib/a.ts']],
      ['lib/d.ts', ['lib/a.ts']],
      ['lib/e.ts', ['lib/e.ts']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['lib/a.ts', 'lib/b/c.ts', 'lib/a.ts'],
      ['lib/e.ts', 'lib/e.ts'],
    ]);
    expect(findCycles(new Map([['lib/a.ts', ['lib/d.ts']], ['lib/d.ts', []]]))).toEqual([]);
  });

  it('no import cycle in lib/ (type-only imports included)', () => {
    const files = libFiles();
    const known = new Set(files);
    const graph = new Map(files.map((file) => [file, staticImports(file, readFileSync(join(ROOT, file), 'utf8'), known)]));
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('README.md is under 10 KB', () => {
    expect(readFileSync(join(ROOT, 'README.md')).length).toBeLessThan(10_000);
  });

  it('the docs reader finds repository paths and bare source names, not package subpaths or URLs', () => {
    const { paths, names } = namedFiles('See lib/worker/host.ts, `test/batch/` and lib/batch/*.ts; import ml-predict/registry; shared/DESIGN.md. Also select.ts and dist/browser/runtime.js.');
    expect(paths).toEqual(['lib/worker/host.ts', 'test/batch/', 'lib/batch/', 'shared/DESIGN.md']);
    expect(names).toEqual(['select.ts']);
  });

  it('docs/ARCHITECTURE.md names only files and folders that exist', () => {
    const text = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8').replace(/\bhttps?:\/\/\S+/g, '');
    const { paths, names } = namedFiles(text);
    expect(paths.length + names.length).toBeGreaterThan(0);
    const sources = new Set(SOURCE_FOLDERS.flatMap((folder) => (existsSync(join(ROOT, folder)) ? filesUnder(folder) : [])).map((f) => f.split('/').pop()!));
    const missing = [...paths.filter((path) => !existsSync(join(ROOT, path))), ...names.filter((name) => !sources.has(name))];
    expect(missing).toEqual([]);
  });
});
