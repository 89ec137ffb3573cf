/**
 * Labels and limits every place that shows three-phase or balanced-equivalent numbers uses (the
 * import wizard, the base-case screen, the network view), so they read the same everywhere.
 */

/** The label every number of a balanced-equivalent feeder carries. */
export const PER_PHASE_LABEL = 'per phase (single-phase equivalent)';

/** The label of three-phase totals (substation power, load sums). */
export const THREE_PHASE_TOTAL_LABEL = 'three-phase total';

/** ANSI C84.1 service-voltage ranges, pu of nominal. */
export const ANSI_RANGE_A = { low: 0.95, high: 1.05 } as const;
export const ANSI_RANGE_B = { low: 0.917, high: 1.058 } as const;

/** 'abc' from nodes [1, 2, 3]; neutrals (4+) and ground are not phases. */
export function phaseLetters(nodes: readonly number[]): string {
  return [...new Set(nodes.filter((n) => n >= 1 && n <= 3))]
    .sort()
    .map((n) => 'abc'[n - 1])
    .join('');
}

/**
 * Which ANSI range a voltage violates: null inside Range A, 'A' outside Range A but inside
 * Range B, 'B' outside Range B; with the side and the limit crossed.
 */
export function ansiViolation(vPu: number): { range: 'A' | 'B'; side: 'low' | 'high'; limitPu: number } | null {
  if (vPu < ANSI_RANGE_B.low) return { range: 'B', side: 'low', limitPu: ANSI_RANGE_B.low };
  if (vPu > ANSI_RANGE_B.high) return { range: 'B', side: 'high', limitPu: ANSI_RANGE_B.high };
  if (vPu < ANSI_RANGE_A.low) return { range: 'A', side: 'low', limitPu: ANSI_RANGE_A.low };
  if (vPu > ANSI_RANGE_A.high) return { range: 'A', side: 'high', limitPu: ANSI_RANGE_A.high };
  return null;
}
