/**
 * A distributed (ENApp) run on a three-phase feeder: the network rebuilt from the project's
 * scripts with its taps set as the centralized run sets them (opf.ts `preparedNetwork`), the
 * scenario's PV and batteries on their phases, the areas solved by the distributed three-phase OPF
 * with per-phase boundary values (src-solver/enapp/distributed3.ts) through the backend's area
 * processes, the merged dispatch validated by the three-phase power flow, and the result turned
 * into a stored run as the centralized three-phase run's (opf.ts `threePhaseResults`) plus its
 * `distributed` object with the per-phase boundary values.
 *
 * The areas run in their own processes (crash, hang and cancel handling are the coordinator's);
 * building the network, merging and validating run on the calling thread.
 */
import type { RunCoordination, RunDistributedInfo, RunPhaseBoundary, RunStatus } from '../../contract';
import type { EnappHooks, EnappResult } from '../../../src-solver/enapp/coordinator';
import { PartitionError } from '../../../src-solver/enapp/distributed';
import {
  solveDistributed3,
  withConsistencyRounds,
  type Distributed3Plan,
} from '../../../src-solver/enapp/distributed3';
import type { CutBranch } from '../../../src-solver/enapp/partition';
import type { SpawnArea } from '../../../src-solver/enapp/protocol';
import { opf3FromNetwork } from '../../../src-solver/opf3/fromNetwork';
import type { Opf3Network } from '../../../src-solver/opf3/network';
import type { Opf3Period } from '../../../src-solver/opf3/solve';
import { distributedInfoOf, emptyStats, toOpfStudy, type StoredSettings } from '../runs/records';
import {
  emptyThreePhaseStats,
  openDssHours,
  preparedNetwork,
  threePhaseResults,
  unitsOf,
  type ThreePhaseOpfInput,
  type ThreePhaseOpfOutput,
} from './opf';

export interface ThreePhaseDistributedInput extends ThreePhaseOpfInput {
  readonly cuts: readonly CutBranch[];
  readonly coordination: RunCoordination;
  /** Rounds stop when boundary values move less than this ÷ 10 (the study's boundary tolerance). */
  readonly tolerancePu: number;
  readonly graceMs?: number;
}

const PHASE = ['N', 'A', 'B', 'C'];

/**
 * The per-phase values each boundary held at the end: node voltages (parent → child) and the
 * child's draw V·conj(I) per node, kW/kvar (the exchange's per-node currents, phase-exchange.ts).
 */
export function phaseBoundaries(plan: Distributed3Plan, enapp: EnappResult): RunPhaseBoundary[] {
  const T = plan.net.periods;
  const base = plan.net.baseKva;
  return plan.boundaries.map((b, k) => {
    const child = plan.parts.find((p) => p.id === b.childArea)!.net;
    const ph = enapp.boundaries[k]?.phase;
    const n = child.nSlack;
    const nodes = Array.from({ length: n }, (_, j) => j);
    const at = (f: (i: number) => number) => nodes.map((j) => Array.from({ length: T }, (_, t) => f(t * n + j)));
    return {
      bus: b.bus,
      parentArea: b.parentArea,
      childArea: b.childArea,
      phases: nodes.map((j) => PHASE[child.nodePhase[child.nFree + j]!] ?? String(child.nodePhase[child.nFree + j])),
      vPu: ph ? at((i) => Math.hypot(ph.vRe[i]!, ph.vIm[i]!)) : [],
      pKw: ph ? at((i) => ph.p[i]! * base) : [],
      qKvar: ph ? at((i) => ph.q[i]! * base) : [],
    };
  });
}

/**
 * Network losses per period, kW, from the node voltages alone (a distributed run has no single
 * solution vector): Re(V^H Y V) over the lossy admittances plus, per series element,
 * Re(I^H ΔV) with I = Z⁻¹ ΔV — what opf3/losses.ts reads from the centralized solution.
 */
export function lossesFromVoltages(net: Opf3Network, periods: readonly Opf3Period[]): number[] {
  const n = net.nFree;
  return periods.map((p, t) => {
    const v = (i: number): [number, number] => {
      if (i < 0) return [0, 0];
      if (i >= n) {
        const s = t * net.nSlack + i - n;
        return [net.slackRe[s]!, net.slackIm[s]!];
      }
      const a = (p.angleDeg[i]! * Math.PI) / 180;
      return [p.vPu[i]! * Math.cos(a), p.vPu[i]! * Math.sin(a)];
    };
    let loss = 0;
    for (let k = 0; k < net.yRow.length; k++) {
      if (!net.yLoss[k]) continue;
      const i = net.yRow[k]!;
      const j = net.yCol[k]!;
      if (i >= n || j >= n) continue;
      const [ei, fi] = v(i);
      const [ej, fj] = v(j);
      const g = net.yG[k]!;
      const b = net.yB[k]!;
      loss += ei * (g * ej - b * fj) + fi * (g * fj + b * ej);
    }
    for (const br of net.series) {
      if (br.source) continue;
      const m = br.from.length;
      const dRe = new Float64Array(m);
      const dIm = new Float64Array(m);
      for (let c = 0; c < m; c++) {
        const [ef, ff] = v(br.from[c]!);
        const [et, ft] = v(br.to[c]!);
        dRe[c] = ef - et;
        dIm[c] = ff - ft;
      }
      const [iRe, iIm] = solveComplex(m, br.zRe, br.zIm, dRe, dIm);
      for (let c = 0; c < m; c++) loss += iRe[c]! * dRe[c]! + iIm[c]! * dIm[c]!;
    }
    return loss * net.baseKva;
  });
}

/** Solve Z x = d (m×m complex, row-major) by Gaussian elimination with partial pivoting. */
function solveComplex(
  m: number,
  zRe: Float64Array,
  zIm: Float64Array,
  dRe: Float64Array,
  dIm: Float64Array,
): [Float64Array, Float64Array] {
  const aRe = Float64Array.from(zRe);
  const aIm = Float64Array.from(zIm);
  const xRe = Float64Array.from(dRe);
  const xIm = Float64Array.from(dIm);
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++)
      if (Math.hypot(aRe[r * m + c]!, aIm[r * m + c]!) > Math.hypot(aRe[piv * m + c]!, aIm[piv * m + c]!)) piv = r;
    if (piv !== c) {
      for (let q = 0; q < m; q++) {
        [aRe[c * m + q], aRe[piv * m + q]] = [aRe[piv * m + q]!, aRe[c * m + q]!];
        [aIm[c * m + q], aIm[piv * m + q]] = [aIm[piv * m + q]!, aIm[c * m + q]!];
      }
      [xRe[c], xRe[piv]] = [xRe[piv]!, xRe[c]!];
      [xIm[c], xIm[piv]] = [xIm[piv]!, xIm[c]!];
    }
    const pr = aRe[c * m + c]!;
    const pi = aIm[c * m + c]!;
    const den = pr * pr + pi * pi;
    for (let r = c + 1; r < m; r++) {
      // f = a[r][c] / a[c][c]
      const nr = aRe[r * m + c]!;
      const ni = aIm[r * m + c]!;
      const fr = (nr * pr + ni * pi) / den;
      const fi = (ni * pr - nr * pi) / den;
      for (let q = c; q < m; q++) {
        const cr = aRe[c * m + q]!;
        const ci = aIm[c * m + q]!;
        aRe[r * m + q] = aRe[r * m + q]! - (fr * cr - fi * ci);
        aIm[r * m + q] = aIm[r * m + q]! - (fr * ci + fi * cr);
      }
      xRe[r] = xRe[r]! - (fr * xRe[c]! - fi * xIm[c]!);
      xIm[r] = xIm[r]! - (fr * xIm[c]! + fi * xRe[c]!);
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let sr = xRe[c]!;
    let si = xIm[c]!;
    for (let q = c + 1; q < m; q++) {
      sr -= aRe[c * m + q]! * xRe[q]! - aIm[c * m + q]! * xIm[q]!;
      si -= aRe[c * m + q]! * xIm[q]! + aIm[c * m + q]! * xRe[q]!;
    }
    const pr = aRe[c * m + c]!;
    const pi = aIm[c * m + c]!;
    const den = pr * pr + pi * pi;
    xRe[c] = (sr * pr + si * pi) / den;
    xIm[c] = (si * pr - sr * pi) / den;
  }
  return [xRe, xIm];
}

/** The distributed three-phase run end to end (see the file comment); 'cancelled' once the signal aborted it. */
export async function runDistributedThreePhase(
  input: ThreePhaseDistributedInput,
  settings: StoredSettings,
  spawn: SpawnArea,
  hooks: EnappHooks,
): Promise<ThreePhaseOpfOutput | 'cancelled'> {
  const log: string[] = [];
  const { net: unet, taps } = preparedNetwork(input.scripts);
  const units = unitsOf(unet, input.placements);
  const { study, nlp } = toOpfStudy(input.study);
  // The area split cuts a Norton-source network ((U7'), opf3-split.ts): the default form's optimum.
  const net = opf3FromNetwork(unet, study, units, { sourceModel: 'norton' });
  log.push(
    `distributed three-phase OPF (${input.coordination} coordination, per-phase boundary values): ${unet.buses.size} buses, ` +
      `${input.cuts.length + 1} areas (cuts ${input.cuts.map((c) => `${c.from}–${c.to}`).join(', ')}); taps held at ${
        Object.entries(taps)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      } (nominal-load power flow with controls)`,
  );
  let out;
  try {
    out = await solveDistributed3(
      unet,
      net,
      units,
      input.cuts,
      spawn,
      {
        nlp,
        coordination: input.coordination,
        tolerancePu: input.tolerancePu,
        ...(input.graceMs !== undefined ? { graceMs: input.graceMs } : {}),
      },
      hooks,
    );
  } catch (err) {
    if (!(err instanceof PartitionError)) throw err;
    return { status: 'failed', stats: emptyStats(err.message, settings), series: {}, log };
  }
  const { enapp, plan } = out;
  if (enapp.status === 'cancelled') return 'cancelled';
  // the price rounds and the consistency rounds after them as one list (as the progress events numbered them)
  const all = withConsistencyRounds(out);
  const info: RunDistributedInfo = {
    ...distributedInfoOf(
      all,
      plan.check.areas.map((a) => ({ id: a.id, rootBus: a.rootBus, buses: a.own.length })),
      input.coordination,
    ),
    ...(out.polish ? { consistencyRounds: all.consistencyRounds } : {}),
    phaseBoundaries: phaseBoundaries(plan, all),
  };
  const base = { ...emptyThreePhaseStats(input.study.periods, input.study.dtH), distributed: info };
  const message = openDssHours(enapp.message);
  log.push(`${enapp.status}: ${message}`);
  if (enapp.status === 'infeasible')
    return { status: 'infeasible', stats: { ...base, message, seconds: enapp.wallSeconds }, series: {}, log };
  if (!out.periods || out.objective === null)
    return { status: 'failed', stats: { ...base, message, seconds: enapp.wallSeconds }, series: {}, log };
  const checked = out.validation!;
  const validation = { ...checked, at: openDssHours(checked.at) };
  log.push(
    `validation of the merged dispatch: largest node-voltage discrepancy ${validation.maxDiffPu.toExponential(2)} pu at ${validation.at}${validation.converged ? '' : ' (a power flow did not converge)'}`,
  );
  const iterations = all.rounds.reduce((s, r) => s + Math.max(0, ...r.areaIterations), 0);
  const { stats, series } = threePhaseResults(
    net,
    { objective: out.objective, periods: out.periods, message, iterations },
    lossesFromVoltages(net, out.periods),
    units,
    taps,
    validation,
    1,
    input.study.priceCentsPerKwh,
  );
  // Not converged within the round limit: the last merged dispatch, marked notConverged.
  const status: RunStatus = enapp.status === 'converged' ? 'solved' : 'notConverged';
  return { status, stats: { ...stats, seconds: all.wallSeconds, distributed: info }, series, log };
}
