/**
 * The WebAssembly kernel committed in src-solver/sparse/ldlKernelWasm.ts is exactly what
 * wasm/ldl-kernel.ts compiles to with the pinned AssemblyScript: nobody can change the source
 * and forget the build, or edit the generated module by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernel, moduleText } from './build-wasm.mjs';

describe('npm run build:wasm', () => {
  it('the committed kernel module is what wasm/ldl-kernel.ts builds to', async () => {
    const committed = readFileSync(join(import.meta.dirname, '../src-solver/sparse/ldlKernelWasm.ts'), 'utf8');
    expect(committed).toBe(moduleText(await buildKernel()));
  }, 60_000);
});
