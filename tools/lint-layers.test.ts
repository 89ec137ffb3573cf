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
    const code =
      "import { SOLVER_VERSION } from '../version';\nexport const v = new Float64Array(3).fill(Math.sqrt(2)) && SOLVER_VERSION;\n";
    expect(await ruleIds(code, 'src-solver/nlp/example.ts')).toEqual([]);
  });

  it('still lets the backend and tests use Node', async () => {
    const code = "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n";
    expect(await ruleIds(code, 'src-main/backend/example.ts')).toEqual([]);
    expect(await ruleIds(code, 'src-solver/pf/example.test.ts')).toEqual([]);
  });

  it('keeps the UI out of the backend', async () => {
    const msgs = await ruleIds(
      "import { x } from '../../src-renderer/src/graph/x';\nexport const a = x;\n",
      'src-main/backend/example.ts',
    );
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });

  it("keeps Node out of the renderer's tests too (they may use test support, nothing more)", async () => {
    const msgs = await ruleIds(
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src-renderer/src/example.test.ts',
    );
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('keeps electron out of the backend and Node out of the renderer', async () => {
    const msgs = await ruleIds(
      "import { app } from 'electron';\nexport const a = app;\n",
      'src-main/backend/example.ts',
    );
    expect(msgs.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    const r = await ruleIds(
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'src-renderer/src/example.tsx',
    );
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

describe('the solver core imports only downward: sparse → nlp → (model, io, pf) → opf → examples → enapp', () => {
  const layerMsg = (msgs: string[]) =>
    msgs.filter((m) => m.startsWith('no-restricted-imports') && m.includes('lower layers'));
  it.each([
    ['src-solver/sparse/example.ts', '../nlp/ipm', 'solveNlp'],
    ['src-solver/nlp/example.ts', '../opf/solve', 'solveOpf'],
    ['src-solver/nlp/example.ts', '../model/feeder', 'emptyFeeder'],
    ['src-solver/pf/example.ts', '../opf/solve', 'solveOpf'],
    ['src-solver/opf/example.ts', '../enapp/coordinator', 'runEnapp'],
    ['src-solver/opf/example.ts', '../examples/project', 'loadExampleProject'],
    ['src-solver/enapp/example.ts', '../worker/serve', 'serveAreaProcess'],
  ])('%s may not import %s', async (file, spec, name) => {
    const msgs = await ruleIds(`import { ${name} } from '${spec}';\nexport const a = ${name};\n`, file);
    expect(layerMsg(msgs)).toHaveLength(1);
  });

  it.each([
    ['src-solver/nlp/example.ts', '../sparse/ldl', 'LdlSolver'],
    ['src-solver/opf/example.ts', '../nlp/ipm', 'solveNlp'],
    ['src-solver/opf/example.ts', '../pf/powerflow', 'solvePowerFlow'],
    ['src-solver/enapp/example.ts', '../opf/solve', 'solveOpf'],
    ['src-solver/io/dss/example.ts', '../../model/feeder', 'emptyFeeder'],
    ['src-solver/enapp/example.ts', '../random', 'mulberry32'],
  ])('%s may import %s', async (file, spec, name) => {
    expect(await ruleIds(`import { ${name} } from '${spec}';\nexport const a = ${name};\n`, file)).toEqual([]);
  });
});

describe('test support (src-solver/testing) stays out of the product', () => {
  const testingMsg = (msgs: string[]) =>
    msgs.filter((m) => m.startsWith('no-restricted-imports') && m.includes('test support'));
  it.each([
    ['src-solver/nlp/example.ts', '../testing/hs/index'],
    ['src-solver/sparse/example.ts', '../testing/sparse/kktorder'],
    ['src-solver/enapp/example.ts', '../testing/enapp/lindistflow-area'],
    ['src-solver/worker/example.ts', '../testing/enapp/lindistflow-area'],
    ['src-main/backend/example.ts', '../../src-solver/testing/opf/ieee123'],
    ['src-main/cli/commands/example.ts', '../../../src-solver/testing/nlp/problems'],
    ['src-main/electron/example.ts', '../../src-solver/testing/nlp/problems'],
    ['src-shared/example.ts', '../src-solver/testing/hs/index'],
    ['src-renderer/src/example.ts', '../../src-solver/testing/hs/index'],
  ])('%s may not import %s', async (file, spec) => {
    const msgs = await ruleIds(`import { x } from '${spec}';\nexport const a = x;\n`, file);
    expect(testingMsg(msgs)).toHaveLength(1);
  });

  it.each([
    ['src-solver/nlp/example.test.ts', '../testing/hs/index'],
    ['src-main/backend/example.test.ts', '../../src-solver/testing/opf/ieee123'],
    ['bench/cases/example.bench.ts', '../../src-solver/testing/sparse/kktorder'],
    ['e2e/example.spec.ts', '../src-solver/testing/opf/ieee123'],
    ['src-renderer/src/example.test.ts', '../../src-shared/testing/run-detail'],
    ['src-solver/testing/hs/example.ts', '../nlp/problems'],
  ])('%s may import %s', async (file, spec) => {
    expect(await ruleIds(`import { x } from '${spec}';\nexport const a = x;\n`, file)).toEqual([]);
  });
});
