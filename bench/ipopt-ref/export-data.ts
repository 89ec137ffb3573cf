/**
 * Writes the plain-text problem DATA the native-Ipopt reference (mpopf_ref.cpp) reads: the
 * per-unit network in BFS order, per-period loads, PV forecast, prices and root voltage, the
 * batteries and the study options. Data only — the C++ program builds the model itself from the
 * spec, so the two models are independent.
 *
 *   node --import tsx bench/ipopt-ref/export-data.ts out.txt [--hours 24] [--objective cost|loss]
 *        [--start-hour 0] [--terminal equal|soft|free] [--battery-limit box|disk] [--relax] [--vmin 0.95]
 * (IEEE 123 reference case.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpfNetwork } from '../../src-solver/opf/network';
import type { Study } from '../../src-solver/opf/study';
import { ieee123Feeder, ieee123Price, readIeee123Texts } from '../../src-solver/testing/opf/ieee123';
import type { Feeder } from '../../src-solver/model/feeder';
import { testDataUrl } from '../../test-data/index';

const num = (v: number): string => (Number.isFinite(v) ? v.toPrecision(17) : v > 0 ? 'inf' : '-inf');

export function exportData(net: OpfNetwork): string {
  const s = net.study;
  const T = net.periods;
  const out: string[] = [];
  out.push('tessera-mpopf-data 1');
  out.push(`baseKva ${num(net.baseKva)}`);
  out.push(`periods ${T}`);
  out.push(`dtH ${num(s.dtH)}`);
  out.push(`objective ${s.objective}`);
  out.push(`alpha ${num(s.alpha)}`);
  out.push(`terminal ${s.terminalSoc} ${num(s.softTerminalWeight)}`);
  out.push(`batteryLimit ${s.batteryLimit}`);
  out.push(`relax ${s.relax ? 1 : 0}`);
  out.push(`vlimits ${num(s.vMinPu)} ${num(s.vMaxPu)}`);
  out.push(`vroot ${Array.from(net.vRootSqPu, num).join(' ')}`);
  out.push(`price ${Array.from(net.priceUsdPerKwh, num).join(' ')}`);
  out.push(`buses ${net.nBus}`);
  // name parent r x imaxsq qC  p_L[T]  q_L[T]  (bus 0 = root: r = x = 0)
  for (let b = 0; b < net.nBus; b++) {
    const e = b - 1;
    const p: string[] = [];
    const q: string[] = [];
    for (let t = 0; t < T; t++) {
      p.push(num(net.pLoadPu[t * net.nBus + b]!));
      q.push(num(net.qLoadPu[t * net.nBus + b]!));
    }
    const r = b === 0 ? 0 : net.rPu[e]!;
    const x = b === 0 ? 0 : net.xPu[e]!;
    const imax = b === 0 ? Infinity : net.iMaxSqPu[e]!;
    out.push(
      `${net.busNames[b]} ${net.parent[b]} ${num(r)} ${num(x)} ${num(imax)} ${num(net.qCapPu[b]!)} ${p.join(' ')} ${q.join(' ')}`,
    );
  }
  out.push(`pv ${net.nPv}`);
  for (let k = 0; k < net.nPv; k++) {
    const p: string[] = [];
    for (let t = 0; t < T; t++) p.push(num(net.pvPPu[t * net.nPv + k]!));
    out.push(`${net.pvBus[k]} ${num(net.pvSPu[k]!)} ${p.join(' ')}`);
  }
  out.push(`batteries ${net.nBat}`);
  for (let k = 0; k < net.nBat; k++) {
    out.push(
      [
        net.batBus[k],
        net.batPPu[k],
        net.batSPu[k],
        net.batEPuH[k],
        net.batEtaC[k],
        net.batEtaD[k],
        net.batSocMin[k],
        net.batSocMax[k],
        net.batB0PuH[k],
      ]
        .map((v) => (Number.isInteger(v) ? String(v) : num(v!)))
        .join(' '),
    );
  }
  out.push('end');
  return out.join('\n') + '\n';
}

/** What the reference prints (a subset; `--full` adds the solution arrays). */
export interface IpoptRefResult {
  readonly status: string;
  readonly objective: number;
  readonly iterations: number;
  readonly seconds: number;
  readonly n: number;
  readonly m: number;
  readonly periods?: { lossPu: number; substationPPu: number; substationQPu: number }[];
  readonly totals?: { lineLossPuH: number; substationPPuH: number; substationQPuH: number };
  readonly busNames?: string[];
  readonly v?: number[][];
  readonly P?: number[][];
  readonly Q?: number[][];
  readonly l?: number[][];
  readonly qD?: number[][];
  readonly Pc?: number[][];
  readonly Pd?: number[][];
  readonly qB?: number[][];
  readonly B?: number[][];
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Builds the reference binary if possible; returns its path, or a reason it cannot be built. */
export function buildIpoptRef(): { ok: true; path: string } | { ok: false; reason: string } {
  try {
    const out = execFileSync('sh', [`${here}build.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, path: out.trim().split('\n').pop()! };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, reason: (e.stderr || e.message).trim() };
  }
}

/** Runs the reference on a data file; `full` adds the solution arrays. */
export function runIpoptRef(binary: string, dataPath: string, full = false): IpoptRefResult {
  let stdout: string;
  try {
    stdout = execFileSync(binary, [dataPath, ...(full ? ['--full'] : [])], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch (err) {
    const e = err as { stdout?: string; status?: number };
    if (e.stdout && e.stdout.trim().startsWith('{'))
      stdout = e.stdout; // non-optimal status exits 1
    else throw err;
  }
  return JSON.parse(stdout) as IpoptRefResult;
}

/** The IEEE 123 reference case as a Feeder, plus its price profile (for scripts and benches). */
export function loadIeee123(): { feeder: Feeder; price: Study['priceCentsPerKwh'] } {
  const dir = testDataUrl('ieee123-balanced/');
  const texts = readIeee123Texts((rel) => readFileSync(new URL(rel, dir), 'utf8'));
  return { feeder: ieee123Feeder(texts), price: ieee123Price(texts) };
}

async function cli(args: string[]): Promise<void> {
  const { buildNetwork } = await import('../../src-solver/opf/network');
  const [outPath, ...rest] = args;
  if (!outPath)
    throw new Error(
      'usage: export-data.ts <out.txt> [--hours N] [--objective cost|loss] [--start-hour H] [--terminal equal|soft|free] [--battery-limit box|disk] [--relax] [--vmin V]',
    );
  const opt = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const { feeder, price } = loadIeee123();
  const study: Study = {
    periods: Number(opt('--hours') ?? 24),
    startHour: Number(opt('--start-hour') ?? 0),
    objective: (opt('--objective') ?? 'cost') as Study['objective'],
    terminalSoc: (opt('--terminal') ?? 'equal') as Study['terminalSoc'],
    batteryLimit: (opt('--battery-limit') ?? 'box') as Study['batteryLimit'],
    relax: rest.includes('--relax'),
    vMinPu: Number(opt('--vmin') ?? 0.95),
    priceCentsPerKwh: price,
  };
  writeFileSync(outPath, exportData(buildNetwork(feeder, study)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await cli(process.argv.slice(2));
}
