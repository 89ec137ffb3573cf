/** `tessera pf`/`import`/`solve` on a three-phase OpenDSS feeder (src-solver/unbalanced). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../../test-data/index';
import { main } from '../main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: process.cwd() },
    out,
    err,
  };
}

const ieee13 = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');

describe('tessera on a three-phase feeder', () => {
  it('pf --json: per-node and line-to-line voltages, taps and capacitor states as the OpenDSS engine gives them', async () => {
    const c = capture();
    expect(await main(['pf', ieee13, '--json'], c.io)).toBe(0);
    const json = JSON.parse(c.out.join('')) as {
      status: string;
      periods: {
        substationKw: number;
        substationKvar: number;
        lossKw: number;
        vminPu: number;
        voltagesPu: Record<string, number>;
        nodeVoltagesPu: Record<string, Record<string, number>>;
        lineVoltagesPu: Record<string, number[]>;
        regulatorTaps: Record<string, number>;
        capacitorStates: Record<string, number[]>;
      }[];
    };
    const ref = JSON.parse(readFileSync(opendssRef('opendss-results/ieee13.json'), 'utf8')) as {
      p_subs_kw: number;
      q_subs_kvar: number;
      bus_vmag_pu: Record<string, Record<string, number>>;
      bus_vll_pu: Record<string, number[]>;
      regcontrol_taps: Record<string, number>;
      capacitor_states: Record<string, number[]>;
    };
    expect(json.status).toBe('converged');
    const [p] = json.periods;
    expect(p.substationKw).toBeCloseTo(ref.p_subs_kw, 3);
    expect(p.substationKvar).toBeCloseTo(ref.q_subs_kvar, 3);
    expect(p.regulatorTaps).toEqual(ref.regcontrol_taps);
    expect(p.capacitorStates).toEqual(ref.capacitor_states);
    for (const [bus, nodes] of Object.entries(ref.bus_vmag_pu)) {
      for (const [n, v] of Object.entries(nodes)) expect(p.nodeVoltagesPu[bus][n]).toBeCloseTo(v, 7);
      expect(p.voltagesPu[bus]).toBe(
        Math.min(...['1', '2', '3'].filter((k) => k in nodes).map((k) => p.nodeVoltagesPu[bus][k])),
      );
    }
    for (const [bus, vs] of Object.entries(ref.bus_vll_pu))
      vs.forEach((v, k) => expect(p.lineVoltagesPu[bus][k]).toBeCloseTo(v, 7));
  });

  it('import --json carries the three-phase import report (classes, load totals after allocation, voltage bases)', async () => {
    const c = capture();
    expect(await main(['import', ieee13, '--json'], c.io)).toBe(0);
    const json = JSON.parse(c.out.join('')) as {
      threePhase: {
        loads: number;
        loadKw: number;
        loadKvar: number;
        voltageBasesKv: number[];
        classes: Record<string, { imported: number }>;
      };
    };
    expect(json.threePhase.loads).toBe(15);
    // The IEEE 13 loads written in the script: Σ kW = 3466, Σ kvar = 2102.
    expect(json.threePhase.loadKw).toBeCloseTo(3466, 9);
    expect(json.threePhase.loadKvar).toBeCloseTo(2102, 9);
    expect(json.threePhase.voltageBasesKv).toEqual([115, 4.16, 0.48]);
    expect(json.threePhase.classes.transformer.imported).toBe(5);
  });

  it('solve on a three-phase feeder runs the three-phase OPF; options it does not take are refused with --balanced-equivalent named', async () => {
    const c = capture();
    expect(await main(['solve', ieee13, '--hours', '1', '--vmax', '1.08', '--json', '-'], c.io)).toBe(0);
    const doc = JSON.parse(c.out.join('')) as {
      phases: number;
      periods: { nodeVoltagesPu: Record<string, Record<string, number>> }[];
    };
    expect(doc.phases).toBe(3);
    expect(Object.keys(doc.periods[0]!.nodeVoltagesPu['675']!).sort()).toEqual(['1', '2', '3']);
    const r = capture();
    expect(await main(['solve', ieee13, '--hours', '1', '--relax'], r.io)).toBe(2);
    expect(r.err.join('')).toMatch(/--relax is not available for the three-phase OPF[\s\S]*--balanced-equivalent/);
    // --distributed runs on a three-phase feeder with per-phase boundary values (enapp/distributed3.test.ts;
    // --auto-areas: cli/distributed-solve3.test.ts); it needs cut lines, and a missing flag is named
    const d = capture();
    expect(await main(['solve', ieee13, '--hours', '1', '--distributed'], d.io)).toBe(2);
    expect(d.err.join('')).toMatch(/--distributed needs areas: --areas FILE/);
    const x = capture();
    expect(await main(['solve', ieee13, '--hours', '1', '--areas', 'cuts.csv'], x.io)).toBe(2);
    expect(x.err.join('')).toMatch(/--areas needs --distributed/);
  });

  it('a three-phase script may not Redirect to a device: a located error, no hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pf3-'));
    writeFileSync(join(dir, 'dev.dss'), 'New Circuit.c basekv=12.47\nRedirect /dev/zero\n');
    const c = capture();
    expect(await main(['pf', join(dir, 'dev.dss')], c.io)).toBe(2);
    expect(c.err.join('')).toContain(
      `${join(dir, 'dev.dss')}:2:10: cannot read script "/dev/zero": not a regular file`,
    );
  });
});
