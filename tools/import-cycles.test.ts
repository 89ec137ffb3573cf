/**
 * No import cycle in the solver core: every module of src-solver (tests aside) can be understood,
 * and tested, from the modules below it. Imports are read by TypeScript's own pre-processor
 * (static, type-only and dynamic imports, re-exports); a cycle is a strongly connected component
 * of more than one module, or a module importing itself (Tarjan).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* next */
    }
  }
  throw new Error(`${relative(root, from)}: cannot resolve import '${spec}'`);
}

/** Module graph of these files: file → the files it imports (within the set). */
export function importGraph(files: string[]): Map<string, string[]> {
  const set = new Set(files);
  return new Map(
    files.map((f) => {
      const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true);
      const deps = info.importedFiles
        .map((i) => resolveImport(f, i.fileName))
        .filter((d): d is string => d !== null && set.has(d));
      return [f, [...new Set(deps)]];
    }),
  );
}

/** Strongly connected components with a cycle (Tarjan). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}

describe('import cycles', () => {
  it('finds a cycle where there is one (the check bites)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a', 'd']],
      ['e', ['d']],
    ]);
    expect(importCycles(g)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('src-solver has none', () => {
    const files = sourceFiles(join(root, 'src-solver'));
    const graph = importGraph(files);
    expect(graph.size).toBeGreaterThan(50);
    expect(importCycles(graph).map((c) => c.map((f) => relative(root, f)))).toEqual([]);
  });
});
