import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  liveAreaProcesses,
  nodeAreaPool,
  nodeAreaTransport,
  startedAreaPids,
  testingAreaWorkerEntry,
} from '../../src-main/backend/jobs/node-area-transport';
import { runEnapp, type BoundaryState, type Clock, type EnappArea, type EnappBoundary } from './coordinator';
import { createLinDistFlowArea, type LinDistFlowAreaSpec } from '../testing/enapp/lindistflow-area';
import type { AreaTransport, FromArea, SpawnArea, ToArea } from './protocol';
import { isAlive } from '../testing/worker/process';

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
const T = 4;

/** A seeded random radial feeder: parent[j] < j, so index order is a BFS-compatible order. */
function randomFeeder(n: number, seed: number) {
  let s = seed >>> 0;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const parent = [-1];
  for (let j = 1; j < n; j++) parent.push(Math.floor(rand() * j));
  const r = parent.map(() => 0.002 + 0.01 * rand());
  const x = parent.map(() => 0.002 + 0.01 * rand());
  const p = parent.map((_, j) => Array.from({ length: T }, (_, t) => (j === 0 ? 0 : 0.01 * rand() * (1 + 0.3 * t))));
  const q = parent.map((_, j) => Array.from({ length: T }, () => (j === 0 ? 0 : 0.005 * rand())));
  return { n, parent, r, x, p, q };
}

/** Centralized LinDistFlow, written independently of the area solver (recursive subtree sums). */
function centralized(f: ReturnType<typeof randomFeeder>, v0: number) {
  const children: number[][] = f.parent.map(() => []);
  f.parent.forEach((pa, j) => pa >= 0 && children[pa]!.push(j));
  const out: number[][] = [];
  for (let t = 0; t < T; t++) {
    const sum = (j: number, w: number[][]): number => w[j]![t]! + children[j]!.reduce((a, k) => a + sum(k, w), 0);
    const v = new Array<number>(f.n);
    const visit = (j: number) => {
      for (const k of children[j]!) {
        v[k] = v[j]! - 2 * (f.r[k]! * sum(k, f.p) + f.x[k]! * sum(k, f.q));
        visit(k);
      }
    };
    v[0] = v0;
    visit(0);
    out.push(v);
  }
  return out;
}

/**
 * Split at boundary buses (each becomes the root of a child area and a load-free leaf of its parent).
 * Returns areas (with local bus lists) and boundaries.
 */
function split(f: ReturnType<typeof randomFeeder>, boundaryBuses: number[], v0: number) {
  const areaOf = new Array<number>(f.n).fill(0);
  const roots = [0, ...boundaryBuses];
  for (let j = 0; j < f.n; j++) {
    const bi = roots.indexOf(j);
    areaOf[j] = j === 0 ? 0 : bi > 0 ? bi : areaOf[f.parent[j]!]!;
  }
  const areas: EnappArea[] = [];
  const boundaries: EnappBoundary[] = boundaryBuses.map((bus, i) => ({
    id: i + 1,
    parentArea: areaOf[f.parent[bus]!]! + 1,
    childArea: i + 2,
    bus: String(bus),
  }));
  const local: number[][] = [];
  roots.forEach((root, a) => {
    // Area a: its root, then every bus whose area is a, in index order; plus boundary buses of its children as leaves.
    const buses = [root, ...Array.from({ length: f.n }, (_, j) => j).filter((j) => j !== root && areaOf[j] === a)];
    const kids = boundaries.filter((b) => b.parentArea === a + 1).map((b) => Number(b.bus));
    const all = [...buses, ...kids].sort((u, w) => (u === root ? -1 : w === root ? 1 : u - w));
    local.push(all);
    const idx = new Map(all.map((j, i) => [j, i]));
    const spec: LinDistFlowAreaSpec = {
      parent: all.map((j, i) => (i === 0 ? -1 : idx.get(f.parent[j]!)!)),
      rPu: all.map((j) => f.r[j]!),
      xPu: all.map((j) => f.x[j]!),
      // Boundary leaves carry no load in the parent (the child's equivalent load stands there).
      pLoadPu: all.map((j) => (kids.includes(j) ? new Array(T).fill(0) : f.p[j]!)),
      qLoadPu: all.map((j) => (kids.includes(j) ? new Array(T).fill(0) : f.q[j]!)),
      periods: T,
      ...(a === 0 ? { substationVSqPu: v0 } : {}),
      childBoundaries: boundaries
        .filter((b) => b.parentArea === a + 1)
        .map((b) => ({ boundary: b.id, bus: idx.get(Number(b.bus))! })),
    };
    areas.push({
      id: a + 1,
      name: `A${a + 1}`,
      parent: a === 0 ? null : boundaries[a - 1]!.parentArea,
      kind: 'lindistflow',
      spec,
    });
  });
  const initial: BoundaryState[] = boundaries.map(() => ({
    vSqPu: new Array(T).fill(v0),
    pPu: new Array(T).fill(0),
    qPu: new Array(T).fill(0),
  }));
  return { areas, boundaries, initial, local };
}

/** Areas called in-process (no child processes): isolates the coordinator logic. */
const inProcess: SpawnArea = () => {
  let listener: (m: FromArea) => void = () => undefined;
  let solver: ReturnType<typeof createLinDistFlowArea> | null = null;
  let area = 0;
  const t: AreaTransport = {
    send: (m: ToArea) =>
      queueMicrotask(() => {
        if (m.type === 'init') {
          area = m.area;
          solver = createLinDistFlowArea(m.spec);
          listener({ type: 'ready', area });
        } else if (m.type === 'solve') {
          const r = solver!.solve(m.inputs, m.round, {});
          listener({ type: 'result', area, round: m.round, ...r });
        }
      }),
    onMessage: (l) => (listener = l),
    onExit: () => undefined,
    terminate: async () => undefined,
  };
  return t;
};

const feeder = randomFeeder(80, 7);
const V0 = 1.03 ** 2;
// Boundaries chosen so the area tree is 1 → 2 → 3 and 1 → 4 (depth 3).
function pickBoundaries() {
  const depth = (j: number): number => (j === 0 ? 0 : 1 + depth(feeder.parent[j]!));
  const sub = (root: number) => (j: number) => {
    for (let k = j; k >= 0; k = feeder.parent[k]!) if (k === root) return true;
    return false;
  };
  const b1 = Array.from({ length: 80 }, (_, j) => j).find((j) => depth(j) === 2)!;
  const inB1 = sub(b1);
  const b2 = Array.from({ length: 80 }, (_, j) => j).find((j) => j !== b1 && inB1(j) && depth(j) >= 4)!;
  const b3 = Array.from({ length: 80 }, (_, j) => j).find((j) => depth(j) === 2 && !inB1(j))!;
  return [b1, b2, b3].sort((a, b) => a - b);
}

function expectMatchesCentralized(res: Awaited<ReturnType<typeof runEnapp>>, s: ReturnType<typeof split>) {
  const ref = centralized(feeder, V0);
  // Each area's last solution holds v at its local buses for the LAST period solved.
  s.local.forEach((buses, a) => {
    const v = (res.areaSolutions[a] as { vSqPu: number[] }).vSqPu;
    buses.forEach((j, i) => expect(Math.abs(v[i]! - ref[T - 1]![j]!)).toBeLessThan(1e-12));
  });
}

afterEach(() => {
  expect(liveAreaProcesses.size).toBe(0);
  expect(startedAreaPids.filter(isAlive)).toEqual([]);
});

describe('ENApp coordinator (in-process areas)', () => {
  it('reproduces the centralized LinDistFlow exactly, converging after depth-many rounds', async () => {
    const s = split(feeder, pickBoundaries(), V0);
    const rounds: number[] = [];
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      inProcess,
      { tolerancePu: 1e-12 },
      { clock, onRound: (r) => rounds.push(r.maxChangePu) },
    );
    expect(res.status).toBe('converged');
    expect(res.rounds.length).toBeLessThanOrEqual(6);
    expect(res.dampingFromRound).toBeNull();
    expectMatchesCentralized(res, s);
    expect(rounds.at(-1)!).toBeLessThan(1e-12);
  });

  it('stops at the round limit and says so', async () => {
    const s = split(feeder, pickBoundaries(), V0);
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      inProcess,
      { tolerancePu: 1e-12, maxRounds: 1 },
      { clock },
    );
    expect(res.status).toBe('maxRounds');
    expect(res.message).toMatch(/not converged after 1 rounds/);
  });

  it('refuses an area tree without exactly one root', async () => {
    const s = split(feeder, pickBoundaries(), V0);
    const bad = s.areas.map((a) => ({ ...a, parent: null }));
    await expect(runEnapp(bad, s.boundaries, s.initial, inProcess, {}, { clock })).rejects.toThrow(
      /exactly one root area/,
    );
  });
});

/**
 * Scripted areas: each answers a round after `delayMs` (LinDistFlow, in-process), except that
 * `fail(area, round)` may answer with an error at once; `terminate` makes the "process" exit
 * like a real one. Records every start and whether it happened after the run ended.
 */
function scripted(delayMs: number, fail: (area: number, round: number) => FromArea | null) {
  const log = { starts: [] as number[], alive: new Set<number>(), startsAfterEnd: 0, ended: false };
  let serial = 0;
  const spawn: SpawnArea = (areaId) => {
    const me = ++serial;
    log.starts.push(areaId);
    log.alive.add(me);
    if (log.ended) log.startsAfterEnd++;
    let listener: (m: FromArea) => void = () => undefined;
    const exitListeners: ((r: string) => void)[] = [];
    let solver: ReturnType<typeof createLinDistFlowArea> | null = null;
    let exited = false;
    const exit = (reason: string) => {
      if (exited) return;
      exited = true;
      log.alive.delete(me);
      exitListeners.forEach((l) => l(reason));
    };
    return {
      send: (m: ToArea) => {
        if (exited) return;
        if (m.type === 'init') {
          solver = createLinDistFlowArea(m.spec);
          queueMicrotask(() => listener({ type: 'ready', area: areaId }));
        } else if (m.type === 'solve') {
          const f = fail(areaId, m.round);
          if (f) return void queueMicrotask(() => !exited && listener(f));
          setTimeout(
            () =>
              !exited &&
              listener({ type: 'result', area: areaId, round: m.round, ...solver!.solve(m.inputs, m.round, {}) }),
            delayMs,
          );
        }
      },
      onMessage: (l) => (listener = l),
      onExit: (l) => void exitListeners.push(l),
      terminate: async () => exit('stopped'),
    };
  };
  return { spawn, log };
}

describe('the supervisor: ending a run stops every area process and forbids restarts', () => {
  it('an area error in round 1 while the others are still solving: no area restarts, none is left', async () => {
    const s = split(feeder, pickBoundaries(), V0);
    const { spawn, log } = scripted(50, (a, r) =>
      a === 3 && r === 1 ? { type: 'error', area: 3, round: 1, message: 'boom' } : null,
    );
    const events: string[] = [];
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      spawn,
      { tolerancePu: 1e-12 },
      { clock, onAreaEvent: (a, e) => events.push(`${a}:${e}`) },
    );
    log.ended = true;
    expect(res.status).toBe('failed');
    expect(res.message).toBe('area A3, round 1: boom');
    // Areas 1, 2, 4 were stopped under their wait: before the supervisor they counted that as a crash and restarted.
    expect(res.restarts).toEqual([]);
    expect(events.filter((e) => e.endsWith('restarted'))).toEqual([]);
    expect(log.starts.sort()).toEqual([1, 2, 3, 4]);
    expect(log.alive.size).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.startsAfterEnd).toBe(0);
  });
});

describe('ENApp with one Node process per area', () => {
  const s = split(feeder, pickBoundaries(), V0);

  it('converges to the centralized answer and leaves no process behind', async () => {
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({}, testingAreaWorkerEntry),
      { tolerancePu: 1e-12 },
      { clock },
    );
    expect(res.status).toBe('converged');
    expectMatchesCentralized(res, s);
  });

  it('restarts a crashed area once and still converges', async () => {
    const once = join(mkdtempSync(join(tmpdir(), 'tessera-fault-')), 'fired');
    const events: string[] = [];
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({ TESSERA_FAULT: 'crash@2:2', TESSERA_FAULT_ONCE: once }, testingAreaWorkerEntry),
      { tolerancePu: 1e-12 },
      {
        clock,
        onAreaEvent: (a, e, d) => events.push(`${a}:${e}:${d}`),
      },
    );
    expect(res.status).toBe('converged');
    expect(res.restarts).toEqual([{ area: 2, reason: 'area A2 solver stopped: exit code 3' }]);
    expect(events.some((e) => e.startsWith('2:restarted'))).toBe(true);
    expectMatchesCentralized(res, s);
  });

  it('ends cleanly, naming the area, when an area crashes and restarts are off', async () => {
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({ TESSERA_FAULT: 'crash@3:1' }, testingAreaWorkerEntry),
      { restartOnce: false },
      { clock },
    );
    expect(res.status).toBe('failed');
    expect(res.message).toBe('area A3 solver stopped: exit code 3');
  });

  it('detects a hung area by timeout and ends cleanly after its one restart hangs too', async () => {
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({ TESSERA_FAULT: 'hang@4:1' }, testingAreaWorkerEntry),
      { areaTimeoutMs: 3000 },
      { clock },
    );
    expect(res.status).toBe('failed');
    expect(res.message).toBe('area A4 did not answer within 3 s (hung)');
    expect(res.restarts.map((r) => r.area)).toEqual([4]);
  });

  it('notices a stopped (SIGSTOP) area after 10× its slowest round (at least minHangMs), not the fixed first-round limit', async () => {
    const pids = new Map<number, number>();
    const base = nodeAreaTransport({}, testingAreaWorkerEntry);
    const spawn: SpawnArea = (a, n) => {
      const t = base(a, n);
      pids.set(a, t.pid!);
      return t;
    };
    const t0 = performance.now();
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      spawn,
      { tolerancePu: 1e-12, restartOnce: false, minHangMs: 1500, areaTimeoutMs: 300_000 },
      {
        clock,
        // After round 1 (measured: a few ms per area), area 2 stops before it is sent round 2.
        onRound: (r) => r.round === 1 && process.kill(pids.get(2)!, 'SIGSTOP'),
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(res.status).toBe('failed');
    expect(res.message).toMatch(
      /^area A2 did not answer within 2 s \(hung; the limit is 10× its slowest round, at least 2 s\)$/,
    );
    expect(seconds).toBeLessThan(20);
  }, 60_000);

  it('cancels mid-run: status cancelled, every process gone', async () => {
    const controller = new AbortController();
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({ TESSERA_FAULT: 'hang@1:2' }, testingAreaWorkerEntry),
      { tolerancePu: 1e-12, areaTimeoutMs: 60_000 },
      { clock, signal: controller.signal, onRound: (r) => r.round === 1 && setTimeout(() => controller.abort(), 200) },
    );
    expect(res.status).toBe('cancelled');
    expect(res.rounds.length).toBe(1);
  });
});

describe('ENApp on a pool of 2 Node processes hosting the 4 areas', () => {
  const s = split(feeder, pickBoundaries(), V0);
  /** The pool with the test entry, recording the pid of every process it started. */
  const pool = (env: NodeJS.ProcessEnv = {}) => {
    const base = nodeAreaPool(2, env, testingAreaWorkerEntry);
    const pids = new Set<number>();
    const spawn: SpawnArea = (a, n) => {
      const t = base(a, n);
      pids.add(t.pid!);
      return t;
    };
    return { spawn, pids };
  };

  it('converges to the same answer as one process per area, in 2 processes, and leaves none behind', async () => {
    const { spawn, pids } = pool();
    const res = await runEnapp(s.areas, s.boundaries, s.initial, spawn, { tolerancePu: 1e-12 }, { clock });
    expect(res.status).toBe('converged');
    expectMatchesCentralized(res, s);
    expect(pids.size).toBe(2);
    const alone = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      nodeAreaTransport({}, testingAreaWorkerEntry),
      { tolerancePu: 1e-12 },
      { clock },
    );
    expect(res.rounds.map((r) => r.maxChangePu)).toEqual(alone.rounds.map((r) => r.maxChangePu));
  });

  it('a crashed process takes its areas with it: each restarts once, into a new process, and the run converges', async () => {
    const once = join(mkdtempSync(join(tmpdir(), 'tessera-fault-')), 'fired');
    const { spawn, pids } = pool({ TESSERA_FAULT: 'crash@2:2', TESSERA_FAULT_ONCE: once });
    const res = await runEnapp(s.areas, s.boundaries, s.initial, spawn, { tolerancePu: 1e-12 }, { clock });
    expect(res.status).toBe('converged');
    // Areas 2 and 4 share process 2 ((a − 1) mod 2): both saw it exit with code 3.
    expect(res.restarts.map((r) => r.area).sort()).toEqual([2, 4]);
    expect(res.restarts.every((r) => r.reason.endsWith('solver stopped: exit code 3'))).toBe(true);
    expect(pids.size).toBe(3);
    expectMatchesCentralized(res, s);
  });

  it('a hung area is noticed by its timeout and restarted once (its process with it); the run ends cleanly', async () => {
    const { spawn } = pool({ TESSERA_FAULT: 'hang@3:1' });
    const res = await runEnapp(s.areas, s.boundaries, s.initial, spawn, { areaTimeoutMs: 3000 }, { clock });
    expect(res.status).toBe('failed');
    expect(res.message).toBe('area A3 did not answer within 3 s (hung)');
    expect(res.restarts[0]).toEqual({ area: 3, reason: 'area A3 did not answer within 3 s (hung)' });
  });

  it('cancels mid-run: status cancelled, every process gone', async () => {
    const controller = new AbortController();
    const { spawn } = pool({ TESSERA_FAULT: 'hang@1:2' });
    const res = await runEnapp(
      s.areas,
      s.boundaries,
      s.initial,
      spawn,
      { tolerancePu: 1e-12, areaTimeoutMs: 60_000 },
      { clock, signal: controller.signal, onRound: (r) => r.round === 1 && setTimeout(() => controller.abort(), 200) },
    );
    expect(res.status).toBe('cancelled');
    expect(res.rounds.length).toBe(1);
  });

  it('refuses a pool of no processes', () => {
    expect(() => nodeAreaPool(0)).toThrow(/positive integer \(got 0\)/);
  });
});
