/**
 * A balanced single-phase OPF network (src-solver/opf/network.ts) written as a balanced
 * three-phase feeder — docs/spec/unbalanced-opf.md, "One-phase case": every branch becomes a
 * three-phase line with the symmetric matrix of its positive-sequence impedance z1 and a
 * zero-sequence impedance z0 = z0Factor·z1 (Zs = (2z1 + z0)/3, Zm = (z0 − z1)/3); every load
 * three equal per-phase wye loads of the single-phase equivalent's power; capacitors a wye bank;
 * PV and batteries three-phase units of three times the rating, dispatched balanced (U8), (U10).
 * The source is V∠0, V∠−120°, V∠120° at the root. Per unit on the same power base, every node
 * base 1 (the single-phase model is already per unit).
 */
import { buildModel } from '../opf/model';
import type { OpfNetwork } from '../opf/network';
import {
  Opf3Error,
  YTriplets,
  type Opf3Battery,
  type Opf3Load,
  type Opf3Network,
  type Opf3Pv,
  type Opf3Series,
} from './network';

const PHASE_ANGLE = [0, (-2 * Math.PI) / 3, (2 * Math.PI) / 3];

/**
 * `startVPu` (optional): start magnitudes per period and bus, startVPu[t·nBus + b] (e.g. the
 * balanced model's power-flow start); flat 1 pu otherwise.
 */
export function balancedAsThreePhase(net: OpfNetwork, z0Factor = 3, startVPu?: Float64Array): Opf3Network {
  const T = net.periods;
  const nBus = net.nBus;
  if (net.rootLoadPPu.some((v) => v !== 0) || net.rootLoadQPu.some((v) => v !== 0))
    throw new Opf3Error('loads at the root bus are not supported by the three-phase OPF');
  const nFree = 3 * (nBus - 1);
  const nSlack = 3;
  // bus b ≥ 1, phase φ ∈ 0..2 → free node 3(b−1)+φ; root → source node nFree+φ.
  const node = (b: number, ph: number): number => (b === 0 ? nFree + ph : 3 * (b - 1) + ph);
  const nodeBus: string[] = [];
  const nodePhase: number[] = [];
  for (const b of [...Array.from({ length: nBus - 1 }, (_, k) => k + 1), 0]) {
    for (let ph = 0; ph < 3; ph++) {
      nodeBus.push(net.busNames[b]!);
      nodePhase.push(ph + 1);
    }
  }

  const y = new YTriplets();
  const series: Opf3Series[] = [];
  for (let e = 0; e < nBus - 1; e++) {
    const j = e + 1;
    const i = net.parent[j]!;
    const zRe = new Float64Array(9);
    const zIm = new Float64Array(9);
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        const f = p === q ? (2 + z0Factor) / 3 : (z0Factor - 1) / 3;
        zRe[p * 3 + q] = f * net.rPu[e]!;
        zIm[p * 3 + q] = f * net.xPu[e]!;
      }
    }
    series.push({
      name: `line ${net.branchNames[e]}`,
      from: [0, 1, 2].map((ph) => node(i, ph)),
      to: [0, 1, 2].map((ph) => node(j, ph)),
      zRe,
      zIm,
    });
  }
  for (let b = 1; b < nBus; b++) {
    // capacitor: injection q_C v per phase = shunt susceptance q_C
    if (net.qCapPu[b] !== 0) for (let ph = 0; ph < 3; ph++) y.add(node(b, ph), node(b, ph), 0, net.qCapPu[b]!, true);
  }

  const loads: Opf3Load[] = [];
  for (let b = 1; b < nBus; b++) {
    const p = new Float64Array(T);
    const q = new Float64Array(T);
    let any = false;
    for (let t = 0; t < T; t++) {
      p[t] = net.pLoadPu[t * nBus + b]!;
      q[t] = net.qLoadPu[t * nBus + b]!;
      any ||= p[t] !== 0 || q[t] !== 0;
    }
    if (!any) continue;
    for (let ph = 0; ph < 3; ph++)
      loads.push({
        name: `${net.busNames[b]}.${ph + 1}`,
        a: node(b, ph),
        b: -1,
        rho: 1,
        pPu: p,
        qPu: q,
        vnPu: 1,
        zip: [0, 0, 1, 0, 0, 1],
      });
  }
  const three = (b: number): { a: number; b: number; rho: number }[] =>
    [0, 1, 2].map((ph) => ({ a: node(b, ph), b: -1, rho: 1 }));
  const pv: Opf3Pv[] = net.pvNames.map((name, k) => {
    const p = new Float64Array(T);
    for (let t = 0; t < T; t++) p[t] = 3 * net.pvPPu[t * net.nPv + k]!;
    return { name, phases: three(net.pvBus[k]!), pPu: p, sPu: 3 * net.pvSPu[k]! };
  });
  const batteries: Opf3Battery[] = net.batNames.map((name, k) => ({
    name,
    phases: three(net.batBus[k]!),
    pPu: 3 * net.batPPu[k]!,
    sPu: 3 * net.batSPu[k]!,
    ePuH: 3 * net.batEPuH[k]!,
    etaC: net.batEtaC[k]!,
    etaD: net.batEtaD[k]!,
    socMin: net.batSocMin[k]!,
    socMax: net.batSocMax[k]!,
    b0PuH: 3 * net.batB0PuH[k]!,
  }));

  const slackRe = new Float64Array(T * nSlack);
  const slackIm = new Float64Array(T * nSlack);
  const v0Re = new Float64Array(T * nFree);
  const v0Im = new Float64Array(T * nFree);
  for (let t = 0; t < T; t++) {
    const v = Math.sqrt(net.vRootSqPu[t]!);
    for (let ph = 0; ph < 3; ph++) {
      slackRe[t * nSlack + ph] = v * Math.cos(PHASE_ANGLE[ph]!);
      slackIm[t * nSlack + ph] = v * Math.sin(PHASE_ANGLE[ph]!);
    }
    for (let i = 0; i < nFree; i++) {
      const vi = startVPu ? startVPu[t * nBus + 1 + Math.floor(i / 3)]! : v;
      v0Re[t * nFree + i] = vi * Math.cos(PHASE_ANGLE[i % 3]!);
      v0Im[t * nFree + i] = vi * Math.sin(PHASE_ANGLE[i % 3]!);
    }
  }
  return {
    name: `${net.feederName} (balanced three-phase)`,
    baseKva: net.baseKva,
    study: net.study,
    periods: T,
    hourOfPeriod: net.hourOfPeriod,
    priceUsdPerKwh: net.priceUsdPerKwh,
    nFree,
    nSlack,
    nodeBus,
    nodePhase,
    nodeVBase: new Float64Array(nFree + nSlack).fill(1),
    limited: new Uint8Array(nFree).fill(1),
    slackRe,
    slackIm,
    ...y.arrays(),
    srcRe: null,
    srcIm: null,
    series,
    loads,
    pv,
    batteries,
    v0Re,
    v0Im,
  };
}

/** Start magnitudes per period and bus from the balanced model's own power-flow start (opf/init.ts). */
export function balancedStartVoltages(net: OpfNetwork): Float64Array {
  const m = buildModel(net);
  const out = new Float64Array(net.nBus * net.periods);
  for (let t = 0; t < net.periods; t++) {
    out[t * net.nBus] = Math.sqrt(net.vRootSqPu[t]!);
    for (let b = 1; b < net.nBus; b++) out[t * net.nBus + b] = Math.sqrt(m.problem.x0[m.ix.v(b, t)]!);
  }
  return out;
}
