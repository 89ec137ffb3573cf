import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo } from '../test-support';
import { testDataPath } from '../../../test-data/index';

describe('tessera solve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-solve-cli-'));

  it('solves the bundled IEEE 123 example, prints the summary and writes the JSON schema', async () => {
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        'ieee123',
        '--hours',
        '3',
        '--start',
        '10',
        '--objective',
        'loss',
        '--json',
        'out.json',
        '--csv',
        'tables',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/loss objective, 3 periods — solved/);
    expect(io.out).toMatch(/power-flow validation: max \|ΔV\|/);
    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(doc.status).toBe('solved');
    expect(Object.keys(doc.totals).sort()).toEqual(
      [
        'batteryKvarh',
        'batteryKwh',
        'costUsd',
        'demandKwh',
        'lineLossKwh',
        'pvKvarh',
        'pvKwh',
        'substationKvarh',
        'substationKwh',
      ].sort(),
    );
    expect(doc.validation.maxVoltageDiffPu).toBeLessThan(1e-6);
    expect(doc.solver.iterations).toBeGreaterThan(0);
    expect(doc.periods).toHaveLength(3);
    expect(doc.batteries).toHaveLength(26);
    expect(readFileSync(join(dir, 'tables', 'opf-periods.csv'), 'utf8').split('\n')[0]).toMatch(
      /^period,hour,substation_kw/,
    );
  });

  it('exits 1 with the binding limit named when the study is infeasible', async () => {
    const io = captureIo(dir);
    const code = await main(['solve', 'ieee123', '--hours', '2', '--start', '10', '--vmin', '1.02'], io);
    expect(code).toBe(1);
    expect(io.out).toMatch(/— infeasible/);
    expect(io.err).toMatch(/not optimal \(infeasible\).*voltage lower limit 1\.02 pu/s);
  });

  it('--battery adds a what-if battery: it charges and discharges within its window and never raises the cost', async () => {
    const base = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--hours', '24', '--json', 'base.json'], base)).toBe(0);
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        'ieee123',
        '--hours',
        '24',
        '--battery',
        '65:100:400',
        '--battery',
        '76:50:200:80:1',
        '--soc-max',
        '0.9',
        '--json',
        'bat.json',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const b = JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8'));
    const d = JSON.parse(readFileSync(join(dir, 'bat.json'), 'utf8'));
    expect(d.batteries).toHaveLength(28);
    const added = d.batteries.slice(26);
    expect(added.map((x: { bus: string }) => x.bus)).toEqual(['65', '76']);
    const soc = added[0].socKwh as number[];
    expect(Math.min(...soc)).toBeGreaterThanOrEqual(0.3 * 400 - 1e-6);
    expect(Math.max(...soc)).toBeLessThanOrEqual(0.9 * 400 + 1e-6);
    expect(Math.max(...(added[0].dischargeKw as number[]))).toBeGreaterThan(1);
    // Idling is feasible, so the optimum with the batteries is no worse than without.
    expect(d.objective).toBeLessThan(b.objective);
    const bad = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--battery', '999:1:4'], bad)).toBe(2);
    expect(bad.err).toMatch(/--battery: battery at bus "999": the feeder ieee123-balanced has no such bus/);
    expect(await main(['solve', 'ieee123', '--battery', '65:1'], bad)).toBe(2);
    expect(bad.err).toMatch(/expected BUS:KW:KWH/);
  });

  it('refuses bad options with exit 2 and a clear message', async () => {
    const io = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--objective', 'profit'], io)).toBe(2);
    expect(io.err).toMatch(/--objective must be one of cost, loss/);
  });

  it('--price reads a market export with timestamps (the ComEd file as downloaded) and prices the cost with it', async () => {
    const file = testDataPath('ieee123-balanced/profiles/comed_hourly_prices_2023-11-10.csv');
    const cents = readFileSync(file, 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => Number(l.split(',').at(-1)));
    const io = captureIo(dir);
    const code = await main(
      ['solve', 'ieee123', '--hours', '3', '--start', '17', '--price', file, '--json', 'price.json'],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'price.json'), 'utf8'));
    expect(doc.periods.map((p: { priceUsdPerKwh: number }) => p.priceUsdPerKwh)).toEqual(
      cents.slice(17, 20).map((c) => c / 100),
    );
  });

  it('--soc-max caps OpenDSS storage, as import does; other inputs refuse it with the reason', async () => {
    const master = testDataPath('ieee123-balanced/dss/Master.dss');
    // kWhrated of every Storage element, read from the DSS file itself.
    const rated = new Map(
      [
        ...readFileSync(testDataPath('ieee123-balanced/dss/Storage.dss'), 'utf8').matchAll(
          /bus1=(\w+)\.\S*.*?kWhrated=([\d.]+)/g,
        ),
      ].map((m) => [m[1]!, Number(m[2])]),
    );
    expect(rated.size).toBe(26);
    const io = captureIo(dir);
    const code = await main(
      ['solve', master, '--hours', '4', '--start', '16', '--soc-max', '0.7', '--json', 'soc.json'],
      io,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'soc.json'), 'utf8'));
    expect(doc.batteries).toHaveLength(26);
    let highest = 0;
    for (const b of doc.batteries as { bus: string; socKwh: number[] }[]) {
      const cap = 0.7 * rated.get(b.bus)!;
      for (const s of b.socKwh) expect(s).toBeLessThanOrEqual(cap + 1e-6);
      highest = Math.max(highest, ...b.socKwh.map((s) => s / rated.get(b.bus)!));
    }
    expect(highest).toBeGreaterThan(0.6); // the cap binds somewhere, not a vacuous check
    const bad = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--soc-max', '0.7'], bad)).toBe(2);
    expect(bad.err).toMatch(/--soc-max applies to OpenDSS input/);
    expect(await main(['solve', master, '--soc-max', '1.5'], bad)).toBe(2);
    expect(bad.err).toMatch(/--soc-max must be a fraction in \(0, 1\]/);
  });
});
