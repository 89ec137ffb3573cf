/**
 * OpenDSS's time control mode (`Set ControlMode=Time`) against its documented behaviour
 * (Solution.pas TIMEDRIVEN; RegControl: a control out of band is armed with its Delay, then
 * changes one tap per TapDelay while out of band; nothing acts before its delay has elapsed).
 * IEEE 13 at nominal load every hour, taps starting at 0 (the master's closing `Solve` replaced by
 * `Set ControlMode=Time`), so every regulator has many steps to go.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { opendssRef } from '../../test-data/index';
import { sampleControls } from './controls';
import { importUnbalanced } from './import';
import { solveUnbalanced } from './solve';

const master = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');
const reader = (p: string) => {
  const text = readFileSync(p, 'utf8');
  return p === master ? text.replace(/^Solve\s*$/m, 'Set ControlMode=Time') : text;
};

function run(hours: number, extraLines: string[] = []) {
  const out = importUnbalanced(master, reader, { extraLines });
  if (!out.ok) throw new Error(out.errors.map((e) => e.message).join('\n'));
  expect(out.network.controlMode).toBe('time');
  const { periods, system } = solveUnbalanced(out.network, { hours, shape: 'daily' });
  return { periods, system, net: out.network };
}

describe('time control mode', () => {
  it('moves each regulator one tap per hour, starting the hour after it first saw its voltage out of band, until it is inside its band', () => {
    const { periods, system, net } = run(14);
    const names = ['reg1', 'reg2', 'reg3'];
    // Hour 1: every regulator is out of band (taps at 0, vreg 122 V) but its 15 s delay has not elapsed.
    expect(periods[0].regulatorTaps).toEqual({ reg1: 0, reg2: 0, reg3: 0 });
    for (let h = 1; h < periods.length; h++) {
      for (const r of names) {
        const d = periods[h].regulatorTaps[r] - periods[h - 1].regulatorTaps[r];
        expect(d === 0 || d === 1, `${r} hour ${h}: ${d}`).toBe(true);
      }
    }
    // Hour 2 moves all three; the static mode would jump 70 % of the way at once.
    expect(periods[1].regulatorTaps).toEqual({ reg1: 1, reg2: 1, reg3: 1 });
    // Once a regulator stops it stays (constant load), and at the end nothing wants to act.
    for (const r of names) {
      const stop = periods.findIndex((p, h) => h > 0 && p.regulatorTaps[r] === periods[h - 1].regulatorTaps[r]);
      expect(stop).toBeGreaterThan(1);
      for (let h = stop; h < periods.length; h++)
        expect(periods[h].regulatorTaps[r]).toBe(periods[stop].regulatorTaps[r]);
    }
    expect(sampleControls(net, system)).toEqual([]);
    // A period with a tap change took two control rounds (act, then confirm); a quiet one, one.
    periods.forEach((p, h) => {
      const moved = h > 0 && names.some((r) => p.regulatorTaps[r] !== periods[h - 1].regulatorTaps[r]);
      expect(p.controlIterations).toBe(moved ? 2 : 1);
    });
  });

  it('waits out a delay longer than the step: Delay=5400 s on Reg1 makes its first move in hour 3, then one per hour', () => {
    const { periods } = run(5, ['RegControl.Reg1.Delay=5400']);
    expect(periods.map((p) => p.regulatorTaps.reg1)).toEqual([0, 0, 1, 2, 3]);
    expect(periods.map((p) => p.regulatorTaps.reg2)).toEqual([0, 1, 2, 3, 4]);
  });

  it('changes nothing in a snapshot: time 0, no delay has elapsed', () => {
    const { periods } = run(0);
    expect(periods[0].regulatorTaps).toEqual({ reg1: 0, reg2: 0, reg3: 0 });
    expect(periods[0].controlIterations).toBe(1);
  });

  it('a snapshot of the same script in static mode does move the taps (so the above is the mode, not the feeder)', () => {
    const out = importUnbalanced(master, reader);
    if (!out.ok) throw new Error('import');
    const { periods } = solveUnbalanced(out.network, { controlMode: 'static' });
    expect(Object.values(periods[0].regulatorTaps).every((t) => t > 0)).toBe(true);
  });
});
