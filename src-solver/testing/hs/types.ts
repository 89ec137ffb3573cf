import type { NlpProblem } from '../../nlp/problem';
import { define, type ProblemSpec } from './define';

/** One Hock–Schittkowski problem with its published optimum. */
export interface HsProblem {
  /** 'hs071' style id. */
  readonly id: string;
  readonly build: () => NlpProblem;
  /** Published optimal objective (see the entry's comment where an erratum applies). */
  readonly fStar: number;
  /** Published solution when known (rounded as published). */
  readonly xStar?: readonly number[];
  /** Why a correct solver may legitimately not reach fStar from x0 (local optimum, degeneracy). */
  readonly knownFailure?: string;
}

/** Entry as written in the problem tables: the spec plus its published optimum. */
export interface HsEntry {
  readonly n: number;
  readonly spec: Omit<ProblemSpec, 'n'>;
  readonly fStar: number;
  readonly xStar?: readonly number[];
  readonly knownFailure?: string;
}

export function hs(num: number, entry: HsEntry): HsProblem {
  const id = `hs${String(num).padStart(3, '0')}`;
  const spec: ProblemSpec = { n: entry.n, ...entry.spec };
  return {
    id,
    build: () => define(spec),
    fStar: entry.fStar,
    ...(entry.xStar ? { xStar: entry.xStar } : {}),
    ...(entry.knownFailure ? { knownFailure: entry.knownFailure } : {}),
  };
}

/** Σ over i = from…to of term(i), as expression text. */
export function sum(from: number, to: number, term: (i: number) => string): string {
  const parts: string[] = [];
  for (let i = from; i <= to; i++) parts.push(`(${term(i)})`);
  return parts.join(' + ');
}

/** Rosenbrock's function, used by several problems. */
export const ROSENBROCK = '100*(x2 - x1^2)^2 + (1 - x1)^2';
