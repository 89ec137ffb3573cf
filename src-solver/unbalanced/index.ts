/**
 * The three-phase network: import (./import), power flow (./powerflow, ./solve), controls
 * (./controls). Entry points for the CLI and the backend, and the stable JSON of `tessera pf`
 * on a three-phase feeder.
 */
import { parseDssNumber } from '../io/dss/lexer';
import { runScript, type ReadFile } from '../io/dss/script';
import type { UnbalancedPeriod } from './solve';

export { importUnbalanced, type UnbalancedImportOutcome, type UnbalancedImportReport } from './import';
export { busVoltageBases, solveUnbalanced, type UnbalancedPeriod, type UnbalancedSolveOptions } from './solve';
export type { UNetwork } from './model';

/**
 * Phases of the circuit's source as the script writes them (OpenDSS's default 3), or null when
 * the script defines no circuit. A script whose source has 2 or more phases is a three-phase
 * feeder; phases=1 scripts are balanced single-phase equivalents.
 */
export function scriptSourcePhases(entryPath: string, readFile: ReadFile): number | null {
  const script = runScript(entryPath, readFile, { unbalanced: true });
  const src = script.elements.find((e) => e.cls === 'vsource');
  if (!src || script.circuitName === null) return null;
  let phases = 3;
  for (const a of src.assignments) if (a.prop === 'phases') phases = parseDssNumber(a.value, a.quoted);
  return Number.isFinite(phases) ? phases : 3;
}

/** One period of `tessera pf --json` on a three-phase feeder (today's keys, then the per-phase ones). */
export function unbalancedPeriodJson(p: UnbalancedPeriod, period: number, hour: number) {
  const voltagesPu: Record<string, number> = {};
  for (const [bus, nodes] of Object.entries(p.nodeVoltagesPu)) {
    const phases = Object.entries(nodes)
      .filter(([n]) => Number(n) >= 1 && Number(n) <= 3)
      .map(([, v]) => v);
    if (phases.length > 0) voltagesPu[bus] = Math.min(...phases);
  }
  return {
    period,
    hour,
    substationKw: p.substationKw,
    substationKvar: p.substationKvar,
    lossKw: p.lossKw,
    lossKvar: p.lossKvar,
    vminPu: p.vminPu,
    vminBus: p.vminBus,
    vmaxPu: p.vmaxPu,
    vmaxBus: p.vmaxBus,
    iterations: p.iterations,
    converged: p.converged,
    voltagesPu,
    nodeVoltagesPu: p.nodeVoltagesPu,
    lineVoltagesPu: p.lineVoltagesPu,
    vuf: p.vuf,
    regulatorTaps: p.regulatorTaps,
    capacitorStates: p.capacitorStates,
  };
}
