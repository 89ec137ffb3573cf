/**
 * The current a three-phase area draws through its source (root) nodes, from a solution of its
 * OPF model: the one formula the area's exchange (opf3-area.ts) and its draw sensitivity
 * (opf3-sensitivity.ts) both use, in a module of its own so neither imports the other.
 */
import type { Opf3Model } from '../opf3/model';

/**
 * The current leaving each source node into the area, per period: I_s = Σ_j Y_sj V_j + the series
 * currents out of s, from a solution x (pu), [t·nSlack + s].
 */
export function sourceCurrents(model: Opf3Model, x: Float64Array): { re: Float64Array; im: Float64Array } {
  const { net, ix } = model;
  const { nFree, nSlack } = net;
  const T = net.periods;
  const re = new Float64Array(T * nSlack);
  const im = new Float64Array(T * nSlack);
  for (let t = 0; t < T; t++) {
    const e = (i: number): number =>
      i < nFree
        ? x[ix.e[t * nFree + i]!]!
        : ix.pinVar.length
          ? x[ix.pinVar[t * nSlack + i - nFree]!]!
          : net.slackRe[t * nSlack + i - nFree]!;
    const f = (i: number): number =>
      i < nFree
        ? x[ix.e[t * nFree + i]! + 1]!
        : ix.pinVar.length
          ? x[ix.pinVar[t * nSlack + i - nFree]! + 1]!
          : net.slackIm[t * nSlack + i - nFree]!;
    for (let k = 0; k < net.yRow.length; k++) {
      const s = net.yRow[k]!;
      if (s < nFree) continue;
      const j = net.yCol[k]!;
      const g = net.yG[k]!;
      const b = net.yB[k]!;
      re[t * nSlack + s - nFree]! += g * e(j) - b * f(j);
      im[t * nSlack + s - nFree]! += g * f(j) + b * e(j);
    }
    net.series.forEach((br, k) => {
      const first = ix.series[t * net.series.length + k]!;
      br.from.forEach((node, c) => {
        for (const [nd, sign] of [
          [node, 1],
          [br.to[c]!, -1],
        ] as const) {
          if (nd < nFree) continue;
          re[t * nSlack + nd - nFree]! += sign * x[first + 2 * c]!;
          im[t * nSlack + nd - nFree]! += sign * x[first + 2 * c + 1]!;
        }
      });
    });
  }
  return { re, im };
}
