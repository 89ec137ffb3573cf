/**
 * `tessera solve <three-phase script> --distributed --areas FILE`: the distributed three-phase OPF
 * with per-phase boundary values through real area processes; its JSON holds the three-phase
 * solve's shape plus the "distributed" object, compared with the centralized three-phase OPF it
 * solves beside it and validated by the three-phase power flow. Bad cuts are refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { liveAreaProcesses } from '../backend/jobs/node-area-transport';
import { main } from './main';
import type { CliIo } from './types';

function capture(cwd: string): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const ieee13 = opendssRef('feeders', '13Bus', 'IEEE13Nodeckt.dss');

describe('tessera solve <three-phase script> --distributed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dist3-cli-'));

  it('solves IEEE 13 by 2 areas in processes: per-phase results, the distributed object, the centralized answer beside it', async () => {
    writeFileSync(join(dir, 'areas.csv'), 'from,to\n632,670\n');
    const io = capture(dir);
    const code = await main(
      [
        'solve',
        ieee13,
        '--distributed',
        '--areas',
        'areas.csv',
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
        '--json',
        '-',
      ],
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

  it('refuses a cut at a transformer, naming it', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'from,to\n633,634\n');
    const io = capture(dir);
    expect(await main(['solve', ieee13, '--distributed', '--areas', 'bad.csv', '--hours', '1'], io)).toBe(2);
    expect(io.err).toMatch(/cut 633–634 is at transformer xfm1: cut at a line/);
  });
});
