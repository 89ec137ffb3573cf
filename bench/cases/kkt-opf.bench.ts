/**
 * The LDLᵀ (src-solver/sparse/ldl.ts) on the REAL OPF KKT pattern: buildOpfModel on IEEE 123
 * scaled ×10 (1,280 buses) and ×80 (10,240 buses), T = 24, cost objective. Pattern as
 * nlp/kkt.ts assembles it (Hessian, Jacobian, full diagonal); values: W diagonal 10, off-diagonal
 * 0.1…0.22, λ diagonal −1e-8 (quasi-definite, so every ordering factors with inertia (n, m, 0)).
 *
 * For each ordering — 'kkt' (nlp/kkt.ts kktOrdering, the one the NLP uses: λ rows after all
 * their variables), 'pair' (testing/sparse/kktorder.ts, λ row paired with a matched variable) and 'amd'
 * (plain AMD, needs δc > 0) — reports ordering and symbolic seconds, nnz(L), flops, stored
 * supernodal entries, and the numeric factor time both as wall and as CPU (user) time; the
 * CPU-time MFlop/s is the kernel speed (wall time on a shared 2-core machine is noise).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExampleProject } from '../../src-solver/examples/project';
import { generateScaledFeeder } from '../../src-solver/examples/scaled';
import { kktOrdering } from '../../src-solver/nlp/kkt';
import { buildOpfModel } from '../../src-solver/opf/model';
import { amdOrder } from '../../src-solver/sparse/amd';
import { patternFromTriplets } from '../../src-solver/sparse/csc';
import { kktAmdOrder } from '../../src-solver/testing/sparse/kktorder';
import { LdlSolver } from '../../src-solver/sparse/ldl';
import type { BenchCase } from '../types';

type Ordering = 'kkt' | 'pair' | 'amd';

function runCase(copies: number, ordering: Ordering, repeats: number): Record<string, unknown> {
  const dir = new URL('../../resources/examples/ieee123/', import.meta.url).pathname;
  const project = loadExampleProject(readFileSync(join(dir, 'example.json'), 'utf8'), (r) =>
    readFileSync(join(dir, r), 'utf8'),
  );
  const feeder = generateScaledFeeder(project.feeder, copies);
  const problem = buildOpfModel(feeder, { ...project.study, periods: 24, objective: 'cost' }).problem;
  const J = problem.jacobianStructure();
  const H = problem.hessianStructure();
  const n = problem.n;
  const dim = n + problem.m;
  const nt = dim + H.rows.length + J.rows.length;
  const rows = new Int32Array(nt);
  const cols = new Int32Array(nt);
  let t = 0;
  for (let j = 0; j < dim; j++, t++) rows[t] = cols[t] = j;
  for (let k = 0; k < H.rows.length; k++, t++) {
    rows[t] = Math.min(H.rows[k], H.cols[k]);
    cols[t] = Math.max(H.rows[k], H.cols[k]);
  }
  for (let k = 0; k < J.rows.length; k++, t++) {
    rows[t] = J.cols[k];
    cols[t] = n + J.rows[k];
  }
  const { pattern } = patternFromTriplets(dim, rows, cols);
  const values = new Float64Array(pattern.colPtr[dim]);
  for (let c = 0; c < dim; c++)
    for (let q = pattern.colPtr[c]; q < pattern.colPtr[c + 1]; q++)
      values[q] = pattern.rowIdx[q] === c ? (c < n ? 10 : -1e-8) : 0.1 + 0.01 * ((q * 7) % 13);

  let t0 = performance.now();
  const perm =
    ordering === 'kkt'
      ? kktOrdering(pattern, n)
      : ordering === 'pair'
        ? kktAmdOrder(pattern, n, values).perm
        : amdOrder(pattern);
  const orderingSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const solver = new LdlSolver(pattern, { ordering: perm });
  const symbolicSeconds = (performance.now() - t0) / 1000;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    const f = solver.factor(values);
    wall.push((performance.now() - t0) / 1000);
    cpu.push(process.cpuUsage(c0).user / 1e6);
    if (!(f.ok && f.positive === n && f.negative === dim - n)) throw new Error(`wrong inertia ${JSON.stringify(f)}`);
  }
  const best = Math.min(...cpu);
  return {
    iterations: repeats,
    ordering,
    buses: feeder.buses.length,
    dim,
    nnzA: solver.nnzA,
    nnzL: solver.nnzL,
    flops: solver.flops,
    storedEntries: solver.storedEntries,
    supernodes: solver.supernodes,
    orderingSeconds,
    symbolicSeconds,
    factorWallSeconds: Math.min(...wall),
    factorCpuSeconds: best,
    mflopsCpu: solver.flops / best / 1e6,
  };
}

const cases: BenchCase[] = [];
for (const ordering of ['kkt', 'pair', 'amd'] as const) {
  cases.push({
    name: `kkt-opf 1280-bus T=24 ${ordering}`,
    size: { buses: 1280, periods: 24 },
    run: () => runCase(10, ordering, 3),
  });
}
for (const ordering of ['kkt', 'pair', 'amd'] as const) {
  cases.push({
    name: `kkt-opf 10240-bus T=24 ${ordering}`,
    size: { buses: 10240, periods: 24 },
    run: () => runCase(80, ordering, 1),
  });
}

export default cases;
