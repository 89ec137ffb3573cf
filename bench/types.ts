/**
 * A benchmark case: `bench/cases/<area>.bench.ts` default-exports an array of these.
 * The runner executes each case in a fresh process and records its wall time and peak RSS;
 * whatever `run` returns (iterations, fill, ratios against a yardstick measured in the same
 * run, …) is merged into the JSON record.
 */
export interface BenchCase {
  readonly name: string;
  /** Problem sizes, e.g. { buses: 128, periods: 24, variables: 15000 }. */
  readonly size: Record<string, number>;
  run(): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export interface BenchRecord {
  readonly name: string;
  readonly file: string;
  readonly size: Record<string, number>;
  /** Iterations the case reports (solver iterations, repetitions, …), null when not applicable. */
  readonly iterations: number | null;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly [extra: string]: unknown;
}
