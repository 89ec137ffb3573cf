/**
 * The Hock–Schittkowski collection (src-solver/testing/hs, written independently from the book):
 * every problem must reach its published optimum, |f − f*| ≤ 1e-6·max(1, |f*|), with status
 * 'solved' or 'acceptable'.
 *
 * Problems marked `knownFailure` by the collection's author, and the few listed in KNOWN below
 * (each with the reason), must still end with a clear status at a KKT point (solved/acceptable,
 * stationarity checked independently from the callbacks) — they are local optima or data issues,
 * not solver failures.
 */
import { describe, expect, it } from 'vitest';
import { HS_PROBLEMS } from '../testing/hs/index';
import { solveNlp } from './index';
import { stationarity } from '../testing/nlp/problems';

/** Known, explained discrepancies of this solver on the collection. */
const KNOWN: Record<string, string> = {
  hs044:
    'nonconvex QP with several KKT vertices; from x0 = 0 the iterates reach the local minimum f = −13 (x = (0, 3, 0, 4) gives −15)',
  hs055:
    "exp(x1·x4) makes the feasible polytope's objective nonconvex; the vertex x1 = 1, x4 = 0 is a local minimum with f = 20/3",
  hs057:
    'x0 = (0.42, 5) lies in a flat valley; the solver stops at the stationary point with f = 0.0306476 (as reported for other local solvers)',
  hs058:
    'published f* = 3.19033354957 is f at the 6-digit x*; the exact local minimum x1 = −0.78615138 has f = 3.1903368422',
  hs108: 'nonconvex (hexagon area); the iterates reach a KKT point with f = −0.6749814',
};

const regular = HS_PROBLEMS.filter((h) => !h.knownFailure && !KNOWN[h.id]);
const known = HS_PROBLEMS.filter((h) => h.knownFailure || KNOWN[h.id]);

describe('Hock–Schittkowski: published optimum within 1e-6 relative', () => {
  it('has at least 80 problems expected to reach f*', () => {
    expect(regular.length).toBeGreaterThanOrEqual(80);
  });
  it.each(regular.map((h) => [h.id, h] as const))('%s', (_id, h) => {
    const r = solveNlp(h.build());
    expect(['solved', 'acceptable']).toContain(r.status);
    expect(Math.abs(r.objective - h.fStar)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(h.fStar)));
  });
});

describe('Hock–Schittkowski: known local optima end at a KKT point', () => {
  it.each(known.map((h) => [h.id, h] as const))('%s', (_id, h) => {
    const p = h.build();
    const r = solveNlp(p);
    expect(['solved', 'acceptable']).toContain(r.status);
    expect(r.infPr).toBeLessThan(1e-6);
    expect(stationarity(p, r)).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.objective)));
  });
});
