/**
 * A three-phase OpenDSS feeder as the project keeps it: the script files' text and the entry
 * (master) script. The network model (`UNetwork`) is rebuilt from them whenever it is needed
 * (import preview, base-case power flow) — the scripts are the planner's own source, they stay
 * faithful to every element the importer learns later, and re-reading them takes well under a
 * second even for the 8500-node feeder, so nothing derived is stored but the drawing.
 *
 * The drawing is a `Feeder` (the type the graph, the sidebar and the details panel speak): one
 * drawn branch per bus pair (a bank of single-phase regulators is one branch), loads and
 * capacitors as their three-phase element totals. It is never solved as a balanced feeder: runs
 * on a three-phase feeder are refused until the app's three-phase OPF lands.
 */
import {
  importUnbalanced,
  scriptSourcePhases,
  type UNetwork,
  type UnbalancedImportOutcome,
} from '../../../src-solver/unbalanced/index';
import { ensureVoltageBases } from '../../../src-solver/unbalanced/solve';
import type { Branch, Bus, Feeder } from '../../../src-solver/model/feeder';
import type { ImportIssueDto, ThreePhaseReport } from '../../contract';
import { phaseLetters } from '../../../src-shared/threephase';

/** The script files (path → text, '/' separated, as the wizard gave them) and the master's path. */
export interface FeederScripts {
  readonly entry: string;
  readonly files: Readonly<Record<string, string>>;
}

function reader(files: Readonly<Record<string, string>>) {
  return (path: string): string => {
    const text = Object.hasOwn(files, path) ? files[path] : undefined;
    if (text === undefined) throw new Error('no such file among the imported ones');
    return text;
  };
}

/** Phases of the script's source (null when it defines no circuit or cannot be read). */
export function sourcePhases(scripts: FeederScripts): number | null {
  try {
    return scriptSourcePhases(scripts.entry, reader(scripts.files));
  } catch {
    return null;
  }
}

/** Read the scripts into the three-phase network (voltage bases computed as OpenDSS does). */
export function readThreePhase(scripts: FeederScripts): UnbalancedImportOutcome {
  const out = importUnbalanced(scripts.entry, reader(scripts.files));
  if (out.ok) ensureVoltageBases(out.network);
  return out;
}

/** The network or a readable error (for the backend's `importFailed`). */
export function networkOrThrow(scripts: FeederScripts): {
  network: UNetwork;
  outcome: Extract<UnbalancedImportOutcome, { ok: true }>;
} {
  const out = readThreePhase(scripts);
  if (!out.ok) {
    const first = out.errors
      .slice(0, 5)
      .map((e) => `${e.file}:${e.line}: ${e.message}`)
      .join('; ');
    throw new Error(
      `the feeder's OpenDSS scripts no longer read (${out.errors.length} error${out.errors.length === 1 ? '' : 's'}): ${first}`,
    );
  }
  return { network: out.network, outcome: out };
}

const issue = (i: { file: string; line: number; column?: number; message: string }): ImportIssueDto =>
  i.column === undefined
    ? { file: i.file, line: i.line, message: i.message }
    : { file: i.file, line: i.line, column: i.column, message: i.message };

/** The import report the wizard and `feeders.phases` show (the CLI's `threePhase` object). */
export function threePhaseReport(out: UnbalancedImportOutcome): ThreePhaseReport {
  if (!out.ok) {
    return {
      ok: false,
      buses: 0,
      nodes: 0,
      lines: 0,
      transformers: 0,
      regulators: 0,
      capacitors: 0,
      loads: 0,
      generators: 0,
      loadKw: 0,
      loadKvar: 0,
      voltageBasesKv: [],
      classes: {},
      ignored: [],
      warnings: out.warnings.map(issue),
      errors: out.errors.slice(0, 200).map(issue),
    };
  }
  const n = out.network;
  return {
    ok: true,
    buses: n.buses.size,
    nodes: [...n.buses.values()].reduce((s, b) => s + b.nodes.length, 0),
    lines: n.lines.length,
    transformers: n.transformers.length,
    regulators: n.regControls.length,
    capacitors: n.capacitors.length,
    loads: n.loads.length,
    generators: n.generators.length,
    loadKw: out.report.loadKw,
    loadKvar: out.report.loadKvar,
    voltageBasesKv: [...out.report.voltageBasesKv],
    classes: Object.fromEntries(
      Object.entries(out.report.classes).map(([c, r]) => [
        c,
        {
          imported: r.imported,
          approximated: r.approximated.map((a) => ({ element: a.element, what: a.what })),
          ignored: r.ignored,
        },
      ]),
    ),
    ignored: out.report.ignored.map((g) => ({ file: g.file, line: g.line, element: g.element })),
    warnings: out.warnings.map(issue),
    errors: [],
  };
}

export interface DrawnNetwork {
  readonly feeder: Feeder;
  readonly busPhases: Record<string, string>;
  readonly branchPhases: Record<string, string>;
}

/** Mean of the diagonal of a phases×phases complex matrix (re, im). */
function meanDiagonal(m: { n: number; re: Float64Array; im: Float64Array }): [number, number] {
  if (m.n === 0) return [0, 0];
  let r = 0,
    x = 0;
  for (let i = 0; i < m.n; i++) {
    r += m.re[i * m.n + i];
    x += m.im[i * m.n + i];
  }
  return [r / m.n, x / m.n];
}

/**
 * The drawing of a three-phase network: buses with their bases and coordinates, one branch per
 * bus pair (its phases the union of the elements' phases), loads, capacitors and PV as their
 * element totals (three-phase totals). Impedances are indicative (mean self-impedance of a line;
 * a transformer's leakage on its second winding's base): the drawing is never solved.
 */
export function drawNetwork(net: UNetwork): DrawnNetwork {
  const buses: Bus[] = [...net.buses.values()].map((b) => ({
    name: b.name,
    vBaseKv: b.kvBaseLN,
    ...(b.x !== undefined && b.y !== undefined ? { x: b.x, y: b.y } : {}),
  }));
  const busPhases: Record<string, string> = {};
  for (const b of net.buses.values()) busPhases[b.name] = phaseLetters(b.nodes);
  const regulated = new Set(net.regControls.map((r) => r.transformer.toLowerCase()));
  interface Drawn {
    names: string[];
    from: string;
    to: string;
    kind: Branch['kind'];
    r: number;
    x: number;
    amps?: number;
    phases: Set<number>;
  }
  const byPair = new Map<string, Drawn>();
  const add = (
    name: string,
    from: string,
    to: string,
    kind: Branch['kind'],
    r: number,
    x: number,
    nodes: readonly number[],
    amps?: number,
  ) => {
    if (from === to) return;
    const key = from < to ? `${from}\u0000${to}` : `${to}\u0000${from}`;
    const d = byPair.get(key);
    if (d) {
      d.names.push(name);
      for (const n of nodes) if (n >= 1 && n <= 3) d.phases.add(n);
      if (kind === 'regulator') d.kind = 'regulator';
      return;
    }
    byPair.set(key, {
      names: [name],
      from,
      to,
      kind,
      r,
      x,
      phases: new Set(nodes.filter((n) => n >= 1 && n <= 3)),
      ...(amps !== undefined ? { amps } : {}),
    });
  };
  for (const l of net.lines) {
    const [r, x] = meanDiagonal(l.z);
    add(
      l.name,
      l.bus1.bus,
      l.bus2.bus,
      l.kind === 'switch' ? 'switch' : 'line',
      r,
      x,
      [...l.bus1.nodes, ...l.bus2.nodes],
      l.normAmps,
    );
  }
  for (const t of net.transformers) {
    const w1 = t.windings[0];
    for (let k = 1; k < t.windings.length; k++) {
      const w = t.windings[k];
      const zBase = (w.kv * w.kv * 1000) / Math.max(w1.kva, 1e-9);
      const r = (w1.rPu + w.rPu) * zBase;
      const x = (t.xsc[k - 1] ?? 0) * zBase;
      add(t.name, w1.bus.bus, w.bus.bus, regulated.has(t.name.toLowerCase()) ? 'regulator' : 'transformer', r, x, [
        ...w1.bus.nodes,
        ...w.bus.nodes,
      ]);
    }
  }
  const branches: Branch[] = [];
  const branchPhases: Record<string, string> = {};
  for (const d of byPair.values()) {
    const name = d.names.join('+');
    branches.push({
      name,
      from: d.from,
      to: d.to,
      rOhm: d.r,
      xOhm: d.x,
      kind: d.kind,
      ...(d.amps !== undefined && d.amps > 0 ? { ampacityA: d.amps } : {}),
    });
    branchPhases[name] = phaseLetters([...d.phases]);
  }
  const source = net.vsources[0];
  const feeder: Feeder = {
    name: net.name,
    baseKva: 1000,
    substation: { bus: source?.bus1.bus ?? buses[0]?.name ?? '', vSetPu: source?.pu ?? 1 },
    buses,
    branches,
    loads: net.loads.map((l) => ({ name: l.name, bus: l.bus.bus, pKw: l.kw, qKvar: l.kvar, dssModel: l.model })),
    capacitors: net.capacitors.map((c) => ({
      name: c.name,
      bus: c.bus1.bus,
      qKvar: c.kvarSteps.reduce((s, v) => s + v, 0),
    })),
    pv: net.generators
      .filter((g) => g.kind === 'pvsystem')
      .map((g) => ({
        name: g.name,
        bus: g.bus.bus,
        pRatedKw: g.kw,
        sRatedKva: Math.max(g.kw, Math.hypot(g.kw, g.kvar)),
      })),
    batteries: [],
    shapes: [],
  };
  return { feeder, busPhases, branchPhases };
}
