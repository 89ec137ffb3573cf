import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../main';

function capture(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd }, out, err };
}

interface PfJson {
  status: string;
  periods: {
    substationKw: number;
    substationKvar: number;
    lossKw: number;
    lossKvar: number;
    vminPu: number;
    vminBus: string;
    voltagesPu: Record<string, number>;
  }[];
}

describe('tessera pf', () => {
  it('--json at peak load without PV: the schema of the issue, one period, every bus', async () => {
    const c = capture(mkdtempSync(join(tmpdir(), 'tessera-pf-')));
    expect(await main(['pf', 'ieee123', '--hours', '1', '--load-scale', '1', '--pv-scale', '0', '--json'], c.io)).toBe(
      0,
    );
    const json = JSON.parse(c.out.join('')) as PfJson;
    expect(json.status).toBe('converged');
    expect(json.periods).toHaveLength(1);
    const [p] = json.periods;
    expect(Object.keys(p.voltagesPu)).toHaveLength(128);
    expect(p.voltagesPu['1']).toBe(1.03);
    expect(p.vminBus).toBe('116');
    expect(p.vminPu).toBe(Math.min(...Object.values(p.voltagesPu)));
    // The peak load of the case is 1163.197 kW (sum of P_L in powerdata.csv); the source adds the losses.
    expect(p.substationKw).toBeCloseTo(1163.197 + p.lossKw, 6);
    expect(c.err).toEqual([]);
  });

  it('prints a table per hour and writes CSV and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-pf-'));
    const c = capture(dir);
    expect(await main(['pf', 'ieee123', '--hours', '3', '--start', '18', '--out', 'res'], c.io)).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/^\s+18\s+\d/m);
    expect(text).toMatch(/^\s+20\s+\d/m);
    const summary = readFileSync(join(dir, 'res', 'pf-summary.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(summary).toHaveLength(4);
    expect(summary[1].split(',')[1]).toBe('18');
    const voltages = readFileSync(join(dir, 'res', 'pf-voltages.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(voltages).toHaveLength(129);
    expect(existsSync(join(dir, 'res', 'pf-branches.csv'))).toBe(true);
    expect((JSON.parse(readFileSync(join(dir, 'res', 'pf.json'), 'utf8')) as PfJson).periods).toHaveLength(3);
  });

  it('reads the OpenDSS script of the example and gets the same answer as its CSV form', async () => {
    const dss = fileURLToPath(new URL('../../../resources/examples/ieee123/dss/Master.dss', import.meta.url));
    const args = ['--hours', '1', '--load-scale', '1', '--pv-scale', '0', '--json'];
    const a = capture(tmpdir());
    const b = capture(tmpdir());
    expect(await main(['pf', dss, ...args], a.io)).toBe(0);
    expect(await main(['pf', 'ieee123', ...args], b.io)).toBe(0);
    const [pa] = (JSON.parse(a.out.join('')) as PfJson).periods;
    const [pb] = (JSON.parse(b.out.join('')) as PfJson).periods;
    expect(pa.substationKw).toBeCloseTo(pb.substationKw, 6);
    expect(pa.lossKvar).toBeCloseTo(pb.lossKvar, 6);
    expect(pa.vminBus).toBe(pb.vminBus);
  });

  it.each([
    [['pf'], /expected one feeder argument/],
    [['pf', 'no-such-feeder'], /no such feeder: no-such-feeder/],
    [['pf', 'ieee123', '--hours', '0'], /--hours must be a whole number/],
    [['pf', 'ieee123', '--load-scale', 'x'], /--load-scale must be a multiplier/],
  ])('invalid input %j exits 2 with the message on stderr', async (args, message) => {
    const c = capture(tmpdir());
    expect(await main(args, c.io)).toBe(2);
    expect(c.err.join('')).toMatch(message);
    expect(c.out).toEqual([]);
  });

  it('a load the feeder cannot carry exits 1 naming the period', async () => {
    const c = capture(tmpdir());
    expect(await main(['pf', 'ieee123', '--hours', '1', '--load-scale', '40', '--json'], c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/period 1 \(hour 0\).*collapse/);
    expect((JSON.parse(c.out.join('')) as { status: string }).status).toMatch(/diverged|maxIterations/);
  });
});

describe('tessera gen scaled', () => {
  it('writes a folder that tessera pf opens, with N × 128 buses and one IEEE 123 load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-gen-'));
    const c = capture(dir);
    expect(await main(['gen', 'scaled', '--copies', '5', '--out', 'five'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/640 buses, 639 branches, 1163\.197 kW peak load/);
    const p = capture(dir);
    expect(await main(['pf', 'five', '--hours', '1', '--load-scale', '1', '--pv-scale', '0', '--json'], p.io)).toBe(0);
    const json = JSON.parse(p.out.join('')) as PfJson;
    expect(Object.keys(json.periods[0].voltagesPu)).toHaveLength(640);
    expect(json.periods[0].substationKw).toBeCloseTo(1163.197 + json.periods[0].lossKw, 6);
  });
});
