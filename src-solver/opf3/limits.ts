/**
 * The three-phase OPF's limits beyond the per-phase line-to-neutral voltages (U6) —
 * docs/spec/unbalanced-opf.md (U6c)–(U6e):
 *
 * - (U6c) line-to-line voltage limits on delta systems (ungrounded islands, whose node-to-ground
 *   voltages are not physical): 3 V_min² ≤ |V_i − V_j|² ≤ 3 V_max² for each phase pair of a bus
 *   (pu of the line-to-neutral base, i.e. V_min ≤ |V_ij| ≤ V_max in pu of the line-to-line base);
 *   always on, as (U6) is for the grounded buses.
 * - (U6d) optional voltage unbalance limit, per bus with phases a, b, c: VUF = |V₂|/|V₁| ≤ k,
 *   written |V₂|²/k² − |V₁|² ≤ 0 with V₁ = (Va + a·Vb + a²·Vc)/3, V₂ = (Va + a²·Vb + a·Vc)/3,
 *   a = 1∠120° (both linear in e, f: the row is quadratic).
 * - (U6e) optional branch current limits from the lines' normamps (or emergamps; 1.5 × normamps
 *   when only normamps is given), per conductor: a series element's (U1b) current
 *   (Ir² + Ii²)·(I_b/I_max)² ≤ 1; a line in Y its terminal current I = Y_prim V,
 *   |Σ_m (Y_km Vb_m / I_max) v_m|² ≤ 1 at the from end (and at the to end when the line has shunt
 *   admittance, where the two differ). Lines without a rating are not limited.
 */
import type { UNetwork } from '../unbalanced/model';
import { lineYprim, terminalIndex } from '../unbalanced/ybuild';
import type { Operand, QuadraticProgramBuilder } from './quadratic';
import { Opf3Error, type ComplexTerms, type Opf3Limits, type Opf3Network } from './network';

export type { ComplexTerms, Opf3Limits } from './network';

export interface Opf3LimitOptions {
  /** (U6d) largest voltage unbalance factor, percent (none: no limit). */
  readonly vufMaxPct?: number;
  /** (U6e) which rating limits line currents (default 'off'). */
  readonly currentLimits?: 'normal' | 'emergency' | 'off';
}

/**
 * The limit data of an OPF network built from `net`: `floating` are the buses of ungrounded
 * islands (fromNetwork.ts `floatingBuses`).
 */
export function buildLimits(
  net: UNetwork,
  opf: Omit<Opf3Network, 'limits'>,
  floating: ReadonlySet<string>,
  options: Opf3LimitOptions = {},
): Opf3Limits {
  const nodeOf = new Map<string, number>();
  for (let i = 0; i < opf.nFree; i++) nodeOf.set(`${opf.nodeBus[i]}.${opf.nodePhase[i]}`, i);
  const phaseName = (p: number): string => 'abc'[p - 1] ?? String(p);

  const lineToLine: { i: number; j: number; name: string }[] = [];
  for (const bus of [...floating].sort()) {
    const ph = [1, 2, 3].filter((p) => nodeOf.has(`${bus}.${p}`) && opf.nodeVBase[nodeOf.get(`${bus}.${p}`)!]! > 1);
    const pairs =
      ph.length === 3
        ? [
            [ph[0], ph[1]],
            [ph[1], ph[2]],
            [ph[2], ph[0]],
          ]
        : ph.length === 2
          ? [[ph[0], ph[1]]]
          : [];
    for (const [p, q] of pairs)
      lineToLine.push({
        i: nodeOf.get(`${bus}.${p}`)!,
        j: nodeOf.get(`${bus}.${q}`)!,
        name: `bus ${bus} phases ${phaseName(p!)}-${phaseName(q!)}`,
      });
  }

  const vuf: { bus: string; abc: [number, number, number] }[] = [];
  let vufMax = Infinity;
  if (options.vufMaxPct !== undefined) {
    if (!(options.vufMaxPct > 0 && options.vufMaxPct < 100))
      throw new Opf3Error(`the VUF limit must be a percentage in (0, 100), got ${options.vufMaxPct}`);
    vufMax = options.vufMaxPct / 100;
    for (const b of [...net.buses.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const abc = [1, 2, 3].map((p) => nodeOf.get(`${b.name}.${p}`));
      if (abc.some((i) => i === undefined) || !(b.kvBaseLN > 0)) continue;
      vuf.push({ bus: b.name, abc: abc as [number, number, number] });
    }
  }

  const currents: Opf3Limits['currents'][number][] = [];
  const which = options.currentLimits ?? 'off';
  if (which !== 'off') {
    const seriesIx = new Map(opf.series.map((s, k) => [s.name, k]));
    const index = nodeIndexOf(opf) as Parameters<typeof terminalIndex>[0];
    for (const l of net.lines) {
      const iMax =
        which === 'normal' ? l.normAmps : (l.emergAmps ?? (l.normAmps !== undefined ? 1.5 * l.normAmps : undefined));
      if (iMax === undefined || !(iMax > 0)) continue;
      const from = terminalIndex(index, l.bus1);
      const k = seriesIx.get(`line ${l.name}`);
      if (k !== undefined) {
        const br = opf.series[k]!;
        br.from.forEach((node, c) => {
          if (node < 0) return;
          // I in pu of the from node's base: amps = I_pu · 1000 S_b / Vb
          const ib = (1000 * opf.baseKva) / opf.nodeVBase[node]!;
          currents.push({
            name: `line ${l.name} conductor ${c + 1} (${which} ${iMax} A)`,
            kind: 'series',
            series: k,
            conductor: c,
            scale: ib / iMax,
          });
        });
        continue;
      }
      const to = terminalIndex(index, l.bus2);
      const nodes = [...from, ...to];
      const yp = lineYprim(l);
      const n = l.phases;
      const shunt = l.yShunt.re.some((v) => v !== 0) || l.yShunt.im.some((v) => v !== 0);
      for (const end of shunt ? [0, 1] : [0]) {
        for (let c = 0; c < n; c++) {
          const row = end * n + c;
          const re: number[] = [];
          const im: number[] = [];
          const used: number[] = [];
          nodes.forEach((node, m) => {
            if (node < 0) return;
            const f = opf.nodeVBase[node]! / iMax;
            used.push(node);
            re.push(yp.re[row * 2 * n + m]! * f);
            im.push(yp.im[row * 2 * n + m]! * f);
          });
          currents.push({
            name: `line ${l.name} ${end === 0 ? 'from' : 'to'} end conductor ${c + 1} (${which} ${iMax} A)`,
            kind: 'terminal',
            terms: { nodes: used, re, im },
          });
        }
      }
    }
  }
  return { lineToLine, vuf, vufMax, currents };
}

/** The node index of an OPF network (bus → node → index) as ybuild's terminalIndex wants it. */
function nodeIndexOf(opf: Pick<Opf3Network, 'nFree' | 'nodeBus' | 'nodePhase'>): {
  of: Map<string, Map<number, number>>;
} {
  const of = new Map<string, Map<number, number>>();
  for (let i = 0; i < opf.nFree; i++) {
    let m = of.get(opf.nodeBus[i]!);
    if (!m) of.set(opf.nodeBus[i]!, (m = new Map()));
    m.set(opf.nodePhase[i]!, i);
  }
  return { of };
}

/** What the model builder lends to add the limit rows of one period. */
export interface LimitRowContext {
  readonly qp: QuadraticProgramBuilder;
  readonly row: (lo: number, hi: number, name: string) => number;
  readonly eOf: (node: number) => Operand;
  readonly fOf: (node: number) => Operand;
  /** First current variable of series element k in this period (Ir of conductor 1, Ii, Ir of 2, …). */
  readonly seriesFirst: (k: number) => number;
  readonly hour: string;
}

/** Adds w·|Σ (cr + j ci) V|² to row r (Re = Σ cr e − ci f, Im = Σ cr f + ci e). */
export function addAbsSquared(ctx: LimitRowContext, r: number, w: number, t: ComplexTerms): void {
  const re: [number, Operand][] = [];
  const im: [number, Operand][] = [];
  t.nodes.forEach((node, k) => {
    re.push([t.re[k]!, ctx.eOf(node)], [-t.im[k]!, ctx.fOf(node)]);
    im.push([t.re[k]!, ctx.fOf(node)], [t.im[k]!, ctx.eOf(node)]);
  });
  for (const ops of [re, im]) {
    for (let p = 0; p < ops.length; p++) {
      const [cp, xp] = ops[p]!;
      if (cp === 0) continue;
      ctx.qp.product(r, w * cp * cp, xp, xp);
      for (let q = p + 1; q < ops.length; q++) {
        const [cq, xq] = ops[q]!;
        if (cq !== 0) ctx.qp.product(r, 2 * w * cp * cq, xp, xq);
      }
    }
  }
}

const S3 = Math.sqrt(3) / 2;

/** The rows (U6c)–(U6e) of one period. */
export function addLimitRows(ctx: LimitRowContext, net: Opf3Network): void {
  const lim = net.limits;
  if (!lim) return;
  const s = net.study;
  for (const p of lim.lineToLine) {
    const r = ctx.row(3 * s.vMinPu ** 2, 3 * s.vMaxPu ** 2, `line-to-line voltage limits at ${p.name}, ${ctx.hour}`);
    addAbsSquared(ctx, r, 1, { nodes: [p.i, p.j], re: [1, -1], im: [0, 0] });
  }
  for (const v of lim.vuf) {
    // V₂ = (Va + a²Vb + aVc)/3, V₁ = (Va + aVb + a²Vc)/3 with a = −1/2 + j√3/2, a² = −1/2 − j√3/2
    const r = ctx.row(-Infinity, 0, `voltage unbalance limit ${lim.vufMax * 100} % at bus ${v.bus}, ${ctx.hour}`);
    const k2 = 1 / (lim.vufMax * lim.vufMax);
    addAbsSquared(ctx, r, k2 / 9, { nodes: v.abc, re: [1, -0.5, -0.5], im: [0, -S3, S3] });
    addAbsSquared(ctx, r, -1 / 9, { nodes: v.abc, re: [1, -0.5, -0.5], im: [0, S3, -S3] });
  }
  for (const c of lim.currents) {
    const r = ctx.row(-Infinity, 1, `current limit of ${c.name}, ${ctx.hour}`);
    if (c.kind === 'series') {
      const first = ctx.seriesFirst(c.series) + 2 * c.conductor;
      const w = c.scale * c.scale;
      ctx.qp.product(r, w, { v: first }, { v: first });
      ctx.qp.product(r, w, { v: first + 1 }, { v: first + 1 });
    } else addAbsSquared(ctx, r, 1, c.terms);
  }
}
