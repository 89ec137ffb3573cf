/**
 * `tessera solve <three-phase script> --distributed --areas FILE`: the distributed three-phase OPF
 * with per-phase boundary values through real area processes; its JSON holds the three-phase
 * solve's shape plus the "distributed" object (the balanced feeder's fields, distributed-common.ts,
 * and the per-phase boundary values), compared with the centralized three-phase OPF it solves
 * beside it and validated by the three-phase power flow. `--auto-areas` cuts at lines. Bad cuts
 * are refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { liveAreaProcesses } from '../backend/jobs/node-area-transport';
import { main } from './main';
import { captureIo } from './test-support';

const ieee13 = opendssRef('feeders', '13Bus', 'IEEE13Nodeckt.dss');
/** 2 hours from 10:00, a three-phase battery and a single-phase PV below 632–670, a single-phase battery above. */
const STUDY_ARGS = [
  '--hours',
  '2',
  '--start',
  '10',
  '--vmax',
  '1.08',
  '--battery',
  '692.1.2.3:300:900',
  '--pv',
  '675.2:150',
  '--battery',
  '634.3:50:150',
];

describe('tessera solve <three-phase script> --distributed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dist3-cli-'));

  it('solves IEEE 13 by 2 areas in processes: per-phase results, the distributed object, the centralized answer beside it', async () => {
    writeFileSync(join(dir, 'areas.csv'), 'from,to\n632,670\n');
    const io = captureIo(dir);
    const code = await main(
      ['solve', ieee13, '--distributed', '--areas', 'areas.csv', ...STUDY_ARGS, '--json', '-'],
      io,
    );
    expect(code, io.err).toBe(0);
    const doc = JSON.parse(io.out) as {
      status: string;
      phases: number;
      objective: number;
      validation: { maxVoltageDiffPu: number; converged: boolean };
      periods: { nodeVoltagesPu: Record<string, Record<string, number>> }[];
      batteries: { name: string; perPhase: Record<string, unknown> }[];
      distributed: {
        coordination: string;
        rounds: number;
        converged: boolean;
        areas: { rootBus: string }[];
        criticalPathCpuSeconds: number;
        consistencyRounds: number;
        consistencyStatus: string | null;
        residualsPerRound: Record<string, number | null>[];
        boundaries: { bus: string; phases: string[]; vPu: number[][]; pKw: number[][] }[];
        areaCpuSeconds: number[][];
        centralizedObjective: number;
        comparison: { maxRelDiff: number; maxVoltageDiffPu: number };
      };
    };
    expect(doc.status).toBe('solved');
    expect(doc.phases).toBe(3);
    expect(doc.distributed.coordination).toBe('exact');
    expect(doc.distributed.converged).toBe(true);
    expect(doc.distributed.areas.map((a) => a.rootBus)).toEqual(['sourcebus', '670']);
    expect(doc.distributed.areaCpuSeconds.length).toBe(doc.distributed.rounds);
    expect(doc.distributed.criticalPathCpuSeconds).toBeGreaterThan(0);
    // the consistency rounds are the last of the rounds listed, and counted in the critical path
    expect(doc.distributed.consistencyRounds).toBeGreaterThan(0);
    expect(doc.distributed.consistencyRounds).toBeLessThan(doc.distributed.rounds);
    expect(doc.distributed.consistencyStatus).toBe('converged');
    expect(doc.distributed.criticalPathCpuSeconds).toBeCloseTo(
      doc.distributed.areaCpuSeconds.reduce((s, r) => s + Math.max(...r), 0),
      9,
    );
    // per round: the kind's residuals beside the common ones
    expect(doc.distributed.residualsPerRound.length).toBe(doc.distributed.rounds);
    expect(Object.keys(doc.distributed.residualsPerRound[0]!).sort()).toEqual(
      ['iPu', 'maxChangePu', 'omega', 'priceRel', 'round', 'vPu'].sort(),
    );
    // the per-phase boundary values at 670: its three phases, each period, the parent's voltage and the child's draw
    const [b] = doc.distributed.boundaries;
    expect(b!.bus).toBe('670');
    expect(b!.phases).toEqual(['A', 'B', 'C']);
    expect(b!.vPu.map((v) => v.length)).toEqual([2, 2, 2]);
    for (const [j, ph] of ['1', '2', '3'].entries())
      for (let t = 0; t < 2; t++)
        expect(Math.abs(b!.vPu[j]![t]! - doc.periods[t]!.nodeVoltagesPu['670']![ph]!)).toBeLessThan(1e-3);
    expect(b!.pKw.flat().every((p) => p > 0)).toBe(true);
    expect(Object.keys(doc.periods[0]!.nodeVoltagesPu['675']!).sort()).toEqual(['1', '2', '3']);
    expect(doc.batteries.map((b) => b.name).length).toBe(2);
    // the same answer as the centralized three-phase OPF (tolerance 1e-3 pu: rounds stop at 1e-4)
    expect(Math.abs(doc.objective - doc.distributed.centralizedObjective) / doc.objective).toBeLessThan(1e-3);
    expect(doc.distributed.comparison.maxVoltageDiffPu).toBeLessThan(1e-3);
    expect(doc.validation.converged).toBe(true);
    // the merged dispatch's power flow: as close as the boundary's two sides (rounds stop at 1e-4 pu)
    expect(doc.validation.maxVoltageDiffPu).toBeLessThan(1e-4);
    expect(liveAreaProcesses.size).toBe(0);
  }, 300_000);

  it('--auto-areas 2: the suggested cut is a line (632–670), solved to the centralized answer', async () => {
    const io = captureIo(dir);
    const code = await main(
      ['solve', ieee13, '--distributed', '--auto-areas', '2', ...STUDY_ARGS, '--json', 'auto.json'],
      io,
    );
    expect(code, io.err).toBe(0);
    expect(io.out).toMatch(/2 areas \(suggested for 2 areas: cuts 632–670\)/);
    expect(io.out).toMatch(/critical path \d+\.\d+ CPU s .*centralized \d+\.\d+ CPU s/);
    const doc = JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8'));
    const d = doc.distributed;
    expect(d.cuts).toEqual([{ from: '632', to: '670' }]);
    expect(d.converged).toBe(true);
    // the centralized answer, as with the same cut given by file (above)
    expect(Math.abs(doc.objective - d.centralizedObjective) / doc.objective).toBeLessThan(1e-3);
    expect(d.comparison.maxVoltageDiffPu).toBeLessThan(1e-3);
    expect(liveAreaProcesses.size).toBe(0);
  }, 300_000);

  it('refuses a cut at a transformer, naming it; too many suggested areas, saying how many are possible', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'from,to\n633,634\n');
    const io = captureIo(dir);
    expect(await main(['solve', ieee13, '--distributed', '--areas', 'bad.csv', '--hours', '1'], io)).toBe(2);
    expect(io.err).toMatch(/cut 633–634 is at transformer xfm1: cut at a line/);
    const io2 = captureIo(dir);
    expect(await main(['solve', ieee13, '--distributed', '--auto-areas', '40', '--hours', '1'], io2)).toBe(2);
    expect(io2.err).toMatch(/at most \d+ areas are possible \(asked for 40\)/);
  });
});
