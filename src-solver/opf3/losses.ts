/**
 * Network losses of a three-phase OPF solution per period: the real part of V^H Y V over the
 * network's lossy admittances (lines, transformers, shunts: `yLoss`, the (U15) loss objective's
 * Y_net part) plus the series elements' Re(I^H Z I), kW. The runs' `lossKw` series and the siting
 * study's loss savings both read it.
 */
import { seriesLoss, type Opf3Outcome } from './solve';

export function opf3LossesKw(o: Pick<Opf3Outcome, 'model' | 'nlp'>): number[] {
  const { net, ix } = o.model;
  const x = o.nlp.x;
  const n = net.nFree;
  const out: number[] = [];
  for (let t = 0; t < net.periods; t++) {
    const e = (i: number): number => x[ix.e[t * n + i]!]!;
    const f = (i: number): number => x[ix.e[t * n + i]! + 1]!;
    let p = 0;
    for (let k = 0; k < net.yRow.length; k++) {
      if (!net.yLoss[k]) continue;
      const i = net.yRow[k]!;
      const j = net.yCol[k]!;
      if (i >= n || j >= n) continue;
      const g = net.yG[k]!;
      const b = net.yB[k]!;
      p += e(i) * (g * e(j) - b * f(j)) + f(i) * (g * f(j) + b * e(j));
    }
    net.series.forEach((br, k) => {
      // a source's own impedance (U7'') is not a network loss
      if (!br.source) p += seriesLoss(br, x, ix.series[t * net.series.length + k]!)[0];
    });
    out.push(p * net.baseKva);
  }
  return out;
}
