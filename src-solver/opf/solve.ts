/**
 * Solve a study end to end: build the model (model.ts) → start from the study's no-control power
 * flow (init.ts) → interior-point solve (src-solver/nlp) → results in engineering units
 * (results.ts) → cross-check by the AC power flow (validate.ts). When the solve ends infeasible
 * (or otherwise not optimal), `diagnose` names the limit that binds hardest at the last iterate,
 * e.g. "voltage lower limit 1.02 pu at bus 114 (hour 19)".
 */
import type { Feeder } from '../model/feeder';
import { solveNlp, type SolveHooks, type SolveOptions, type SolveResult } from '../nlp/index';
import type { IndexMap } from './index-map';
import { buildModel, type OpfModel } from './model';
import { buildNetwork, type AreaOptions, type OpfNetwork } from './network';
import { extractResults, type OpfResults } from './results';
import { describeDefaults, type Study } from './study';
import { validateWithPowerFlow } from './validate';

export interface OpfSolveOptions {
  /** Options of the interior-point solver; `OPF_NLP_DEFAULTS` fills what is left out. */
  readonly nlp?: SolveOptions;
  /** Cross-check by AC power flow after the solve. Default true. */
  readonly validate?: boolean;
  /** Sub-area inputs (ENApp): root voltage per period, extra loads. */
  readonly area?: AreaOptions;
}

/**
 * Solver defaults for the OPF. `tol` 1e-9 (Ipopt's default is 1e-8): an interior-point method
 * leaves each idle battery at Pc ≈ Pd ≈ μ/z; at 1e-8 that is ~1e-3 of the rating on IEEE 123
 * (measured with native Ipopt too), at 1e-9 below the 1e-4 the product promises.
 */
export const OPF_NLP_DEFAULTS: SolveOptions = { tol: 1e-8, constrViolTol: 1e-9 };

/**
 * Added to `OPF_NLP_DEFAULTS` for a study of more than one period (a caller's `nlp` options
 * override them): each period's own fraction to the boundary, one step for the batteries' chain
 * (nlp/periodSteps.ts), and the inertia correction's Hessian shift raised only in the periods
 * whose pivots are wrong (nlp/inertia.ts `PeriodShift`). On IEEE 123 with a 60 kW / 240 kWh
 * battery at bus 85 over the bundled year (docs/siting.md, "Contiguous year: step lengths per
 * period" and "… with the per-period shift"): 2,160 h from January 1 in 122 iterations (per-period
 * steps alone 160, W&B's global step and shift 305), 720 h in 100 (113, 160), the week 60 (74,
 * 78), the whole 8,760-h year in 138 (174, 227); the bundled day 24 and 20 (cost, loss) against
 * 23 and 20. The shift's trials that cannot succeed skipped ("… fewer factorizations per
 * iteration"): the same iterates, the year in 138 iterations / 216 factorizations (243 before).
 */
export const OPF_MULTI_PERIOD_NLP_DEFAULTS: SolveOptions = {
  stepLengths: 'per-period',
  hessianPerturbation: 'perPeriod',
};

export interface OpfSolveOutcome {
  readonly results: OpfResults;
  readonly model: OpfModel;
  readonly nlp: SolveResult;
  /** True when the status is 'solved' (or 'acceptable'). */
  readonly optimal: boolean;
  /** For a failed solve: what binds (see `diagnose`). */
  readonly diagnosis?: string;
}

export function solveOpf(
  feeder: Feeder,
  study: Study = {},
  options: OpfSolveOptions = {},
  hooks: SolveHooks = {},
): OpfSolveOutcome {
  const net = buildNetwork(feeder, study, options.area);
  const model = buildModel(net);
  const notes = describeDefaults(study);
  hooks.log?.(
    `OPF ${net.feederName}: ${net.nBus} buses, ${net.nPv} PV, ${net.nBat} batteries, T = ${net.periods}; n = ${model.problem.n}, m = ${model.problem.m}`,
  );
  for (const line of notes) hooks.log?.(`  ${line}`);
  const nlp = solveNlp(
    model.problem,
    { ...OPF_NLP_DEFAULTS, ...(net.periods > 1 ? OPF_MULTI_PERIOD_NLP_DEFAULTS : {}), ...options.nlp },
    hooks,
  );
  const optimal = nlp.status === 'solved' || nlp.status === 'acceptable';
  const diagnosis = optimal ? undefined : diagnose(net, model.ix, model.problem, nlp);
  const message = diagnosis ? `${nlp.message} Binding: ${diagnosis}.` : nlp.message;
  let results = extractResults(
    net,
    model.ix,
    nlp.x,
    { status: nlp.status, message, iterations: nlp.iterations, seconds: nlp.seconds, objectiveNlp: nlp.objective },
    notes,
  );
  if (optimal && options.validate !== false)
    results = { ...results, validation: validateWithPowerFlow(feeder, net, results, options.area) };
  return { results, model, nlp, optimal, ...(diagnosis ? { diagnosis } : {}) };
}

/**
 * Names the limit that binds hardest at the solver's last iterate: the variable bound with the
 * largest multiplier (voltage (5), current (6), SOC (8), battery power (10), inverter (11)/(12)),
 * or, when no bound carries a multiplier, the constraint row with the largest violation.
 */
export function diagnose(
  net: OpfNetwork,
  ix: IndexMap,
  problemBounds: { xU: Float64Array; gL: Float64Array; gU: Float64Array },
  r: SolveResult,
): string {
  const xU = problemBounds.xU;
  const s = net.study;
  const T = net.periods;
  const hour = (t: number): string => `hour ${net.hourOfPeriod[t]}`;
  let best = 0;
  let text = '';
  const consider = (z: number, describe: () => string): void => {
    if (z > best) {
      best = z;
      text = describe();
    }
  };
  for (let t = 0; t < T; t++) {
    for (let b = 1; b < net.nBus; b++) {
      const i = ix.v(b, t);
      consider(r.zL[i]!, () => `voltage lower limit ${s.vMinPu} pu at bus ${net.busNames[b]} (${hour(t)})`);
      consider(r.zU[i]!, () => `voltage upper limit ${s.vMaxPu} pu at bus ${net.busNames[b]} (${hour(t)})`);
      const il = ix.l(b - 1, t);
      if (Number.isFinite(xU[il]!))
        consider(r.zU[il]!, () => `current limit of branch ${net.branchNames[b - 1]} (${hour(t)})`);
    }
    for (let k = 0; k < net.nBat; k++) {
      consider(r.zL[ix.B(k, t)]!, () => `minimum state of charge of battery ${net.batNames[k]} (${hour(t)})`);
      consider(r.zU[ix.B(k, t)]!, () => `maximum state of charge of battery ${net.batNames[k]} (${hour(t)})`);
    }
  }
  if (text.startsWith('voltage')) {
    // How widespread: buses and periods sitting at that voltage limit at the last iterate.
    const lower = text.startsWith('voltage lower');
    const bound = lower ? s.vMinPu ** 2 : s.vMaxPu ** 2;
    const buses = new Set<number>();
    let cells = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 1; b < net.nBus; b++) {
        if (Math.abs(r.x[ix.v(b, t)]! - bound) < 1e-6) {
          buses.add(b);
          cells++;
        }
      }
    }
    if (buses.size > 1) text += `; ${buses.size} buses sit at that limit in ${cells} bus-periods`;
  }
  if (text) return text;
  const { gL, gU } = problemBounds;
  let worst = 0;
  let row = -1;
  for (let i = 0; i < r.g.length; i++) {
    const viol = Math.max(gL[i]! - r.g[i]!, r.g[i]! - gU[i]!);
    if (viol > worst) {
      worst = viol;
      row = i;
    }
  }
  return row >= 0 ? `constraint row ${row} violated by ${worst.toExponential(2)}` : 'no single limit identified';
}
