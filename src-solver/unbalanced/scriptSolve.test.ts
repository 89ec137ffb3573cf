/**
 * `Solve` inside a script acts as in OpenDSS: the circuit as defined up to that line is solved
 * (snapshot, static control mode unless ControlMode=OFF) and the taps and capacitor states it
 * reaches stay for what follows, unless the script sets them again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { regulatorSteps } from './controls';
import { importUnbalanced } from './import';

const master = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');
const snapshot = JSON.parse(readFileSync(opendssRef('opendss-results', 'ieee13.json'), 'utf8')) as {
  regcontrol_taps: Record<string, number>;
};

/** Reads the real files, with the master's closing `Solve` line replaced by `solveLine`. */
const reader = (solveLine: string) => (p: string) => {
  const text = readFileSync(p, 'utf8');
  return p === master ? text.replace(/^Solve\s*$/m, solveLine) : text;
};

function imported(solveLine: string, extraLines?: string[]) {
  const out = importUnbalanced(master, reader(solveLine), { extraLines });
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
  return out;
}

describe('Solve in a script', () => {
  it("leaves the regulators at OpenDSS's snapshot taps (IEEE 13 master: full load, static mode)", () => {
    const { network, report } = imported('Solve');
    expect(regulatorSteps(network)).toEqual(snapshot.regcontrol_taps);
    expect(report.classes.solve?.imported).toBe(1);
  });

  it('keeps taps the script sets after the solve, and only those', () => {
    const { network } = imported('Solve', ['Transformer.Reg1.Taps=[1.0 1.0625]']);
    // 1.0625 is 10 steps of 0.00625 above 1.0.
    expect(regulatorSteps(network)).toEqual({ ...snapshot.regcontrol_taps, reg1: 10 });
  });

  it('moves nothing with ControlMode=OFF, nor for a solve in daily mode (listed as ignored: the series is pf --hours)', () => {
    expect(regulatorSteps(imported('Set ControlMode=OFF\nSolve').network)).toEqual({ reg1: 0, reg2: 0, reg3: 0 });
    const daily = imported('Set Mode=Daily\nSolve');
    expect(regulatorSteps(daily.network)).toEqual({ reg1: 0, reg2: 0, reg3: 0 });
    expect(daily.report.ignored.some((i) => /command solve \(Set Mode=Daily/i.test(i.element))).toBe(true);
  });

  it('solves the circuit as it stood at that line: a load added after the solve does not move the taps', () => {
    const { network } = imported('Solve', [
      'New Load.extra Bus1=675 Phases=3 Conn=Wye Model=1 kV=4.16 kW=3000 kvar=1500',
    ]);
    expect(regulatorSteps(network)).toEqual(snapshot.regcontrol_taps);
    expect(network.loads.some((l) => l.name === 'extra')).toBe(true);
  });
});
