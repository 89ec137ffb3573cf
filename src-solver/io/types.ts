/**
 * What every importer returns: the feeder, what it warned about, what it ignored and — for
 * three-phase sources — what the balanced single-phase reduction approximated.
 */
import type { Feeder } from '../model/feeder';

/** One import problem, located: `file` as given to the importer, 1-based `line` and `column`. */
export interface ImportIssue {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

/** An error is an ImportIssue that stops the import. */
export type ImportError = ImportIssue;

/** An element (or command) the importer read but does not model. */
export interface IgnoredElement {
  readonly file: string;
  readonly line: number;
  /** e.g. `Monitor.m1`, `Fault.f1`, `command Solve`. */
  readonly element: string;
}

/** One approximation made to reach the balanced single-phase equivalent. */
export interface ReductionNote {
  /** The element(s) concerned, e.g. `Load.634a`, `bus 634`, `Line.650632`. */
  readonly element: string;
  /** What was approximated and by how much, in words and numbers. */
  readonly message: string;
  /** The size of the approximation where it is a single number (e.g. 0.2 = 20 % phase imbalance). */
  readonly magnitude?: number;
}

export interface ReductionReport {
  /** Phases of the source circuit (3 for IEEE 13/34/37/123; 1 when already single-phase). */
  readonly sourcePhases: number;
  /** Factor applied to every power rating (1/3 for a three-phase source: totals → per phase). */
  readonly powerScale: number;
  readonly notes: readonly ReductionNote[];
  /** Largest phase imbalance over all load buses: max |phase − mean| / mean. */
  readonly largestLoadImbalance: { readonly bus: string; readonly fraction: number } | null;
}

export interface ImportResult {
  readonly feeder: Feeder;
  readonly warnings: readonly ImportIssue[];
  readonly ignored: readonly IgnoredElement[];
  readonly reduction: ReductionReport | null;
}

export type ImportOutcome =
  | ({ readonly ok: true } & ImportResult)
  | { readonly ok: false; readonly errors: readonly ImportError[]; readonly warnings: readonly ImportIssue[] };

/** Thrown by `unwrapImport` when an import failed. */
export class ImportFailure extends Error {
  constructor(readonly errors: readonly ImportError[]) {
    super(errors.map(formatIssue).join('\n'));
    this.name = 'ImportFailure';
  }
}

/** `file:line[:col]: message`; an issue about the whole file (line 0) names the file alone, never `file:0`. */
export function formatIssue(issue: ImportIssue): string {
  if (!(issue.line > 0)) return `${issue.file}: ${issue.message}`;
  return `${issue.file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}: ${issue.message}`;
}

/** The result of a successful import, or throws ImportFailure listing every error. */
export function unwrapImport(outcome: ImportOutcome): ImportResult {
  if (!outcome.ok) throw new ImportFailure(outcome.errors);
  const { ok: _ok, ...result } = outcome;
  return result;
}
