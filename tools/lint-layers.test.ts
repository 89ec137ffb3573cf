import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The layering rules must actually fail on forbidden imports and globals (eslint.config.js). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('src-solver stays pure', () => {
  it.each([
    ["import { app } from 'electron';\nexport const a = app;\n", 'electron'],
    ["import { readFileSync } from 'fs';\nexport const r = readFileSync;\n", 'fs'],
    ["import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'node:fs'],
    ["import { join } from 'path';\nexport const j = join;\n", 'path'],
  ])('rejects %s', async (code, what) => {
    const msgs = await ruleIds(code, 'src-solver/pf/example.ts');
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    expect(msgs.join('\n')).toContain(what.replace('node:fs', 'Node built-ins'));
  });

  it.each(['document.title', 'window.innerWidth', 'process.env.HOME', 'localStorage.getItem("x")'])(
    'rejects the host global in `%s`',
    async (expr) => {
      const msgs = await ruleIds(`export const v = ${expr};\n`, 'src-solver/nlp/example.ts');
      expect(msgs.some((m) => m.startsWith('no-restricted-globals'))).toBe(true);
    },
  );

  it('allows plain ECMAScript and imports inside src-solver', async () => {
    const code = "import { SOLVER_VERSION } from '../version';\nexport const v = new Float64Array(3).fill(Math.sqrt(2)) && SOLVER_VERSION;\n";
    expect(await ruleIds(code, 'src-solver/nlp/example.ts')).toEqual([]);
  });

  it('still lets the backend and tests use Node', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n";
    expect(await ruleIds(code, 'src-main/backend/example.ts')).toEqual([]);
    expect(await ruleIds(code, 'src-solver/pf/example.test.ts')).toEqual([]);
  });

  it('keeps the UI out of the backend', async () => {
    const msgs = await ruleIds("import { x } from '../../src-renderer/src/graph/x';\nexport const a = x;\n", 'src-main/backend/example.ts');
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('keeps electron out of the backend and Node out of the renderer', async () => {
    const msgs = await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src-main/backend/example.ts');
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    const r = await ruleIds("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src-renderer/src/example.tsx');
    expect(r.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });
});

describe('tsconfig for src-solver has no DOM or Node types', () => {
  it('compiles with lib ES2022 and types []', async () => {
    const { readFileSync } = await import('node:fs');
    const cfg = JSON.parse(readFileSync(new URL('../tsconfig.solver.json', import.meta.url), 'utf8')) as {
      compilerOptions: { lib: string[]; types: string[] };
    };
    expect(cfg.compilerOptions.lib).toEqual(['ES2022']);
    expect(cfg.compilerOptions.types).toEqual([]);
  });
});
