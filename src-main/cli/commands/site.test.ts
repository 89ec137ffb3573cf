import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opendssRef, testDataPath } from '../../../test-data/index';
import { main } from '../main';
import { captureIo } from '../test-support';
import { defaultSizes, parseCandidates, parseSizesCsv } from './site';

describe('tessera site', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-site-cli-'));
  writeFileSync(join(dir, 'cands.txt'), 'bus\n114\n65\n# a comment\n30\n');
  writeFileSync(join(dir, 'sizes.csv'), 'kw,kwh\n40,160\n');

  it('ranks verified sites, writes the documented JSON, and each line re-runs with tessera solve --battery', async () => {
    const io = captureIo(dir);
    const code = await main(
      [
        'site',
        'ieee123',
        '--candidates',
        'cands.txt',
        '--sizes',
        'sizes.csv',
        '--days',
        '1',
        '--verify',
        '3',
        '--workers',
        '2',
        '--json',
        'site.json',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/3 candidates, 1 size, K = 1, 1 representative days/);
    expect(io.out).toMatch(/\[4\/4\] verify; best so far/);
    expect(io.out).toMatch(/ranked \(screen-and-verify; 4 configurations verified, 4 OPF solves/);
    const doc = JSON.parse(readFileSync(join(dir, 'site.json'), 'utf8'));
    expect(typeof doc.baseline.objective).toBe('number');
    expect(doc.ranked).toHaveLength(3);
    const first = doc.ranked[0];
    expect(Object.keys(first.sites[0]).sort()).toEqual(['bus', 'kva', 'kw', 'kwh', 'phases']);
    expect(first.sites[0]).toMatchObject({ kw: 40, kwh: 160, phases: 3 });
    for (const k of ['savingsUsd', 'annualSavingsUsd', 'netBenefitUsd', 'npvUsd', 'annualisedCostUsd'])
      expect(typeof first[k]).toBe('number');
    expect(first.annualSavingsUsd).toBeCloseTo(first.savingsUsd * doc.horizon.parts[0].weight, 6);
    expect(doc.ranked.map((r: { sites: { bus: string }[] }) => r.sites[0]!.bus).sort()).toEqual(['114', '30', '65']);
    expect(first.verification.parts[0].objective).toBeCloseTo(doc.baseline.objective - first.savingsUsd, 9);
    // Traceability: tessera solve with the line's --year-day and --battery options is the same OPF.
    const part = first.verification.parts[0];
    expect(part.rerun).toMatch(/^--year-day \d+$/);
    const again = captureIo(dir);
    expect(
      await main(
        ['solve', 'ieee123', ...part.rerun.split(' '), ...first.solveArgs.split(' '), '--json', 'again.json'],
        again,
      ),
    ).toBe(0);
    const solved = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8'));
    expect(solved.batteries.at(-1).bus).toBe(first.sites[0].bus);
    expect(Math.abs(solved.objective - part.objective)).toBeLessThanOrEqual(1e-9 * Math.abs(part.objective));
    expect(io.out).toContain(`tessera solve <feeder> ${part.rerun} ${first.solveArgs}`);
    const bad = captureIo(dir);
    expect(await main(['solve', 'ieee123', '--year-day', '366'], bad)).toBe(2);
    expect(bad.err).toMatch(/--year-day must be a day of the year from 1 to 365/);
    expect(await main(['solve', 'ieee123', '--year-day', '3', '--hours', '4'], bad)).toBe(2);
    expect(bad.err).toMatch(/leave out --hours, --start and --price/);
  }, 600_000);

  it('three-phase OpenDSS feeder: per-phase candidates (a bare bus stands for its phases), phases in the JSON, each line re-runs with tessera solve --battery BUS.PHASE', async () => {
    const ieee13 = opendssRef('feeders/13Bus/IEEE13Nodeckt.dss');
    writeFileSync(join(dir, 'cands3.txt'), 'bus\n611.3\n675\n');
    writeFileSync(join(dir, 'sizes3.csv'), 'kw,kwh\n30,120\n');
    const limits = ['--vmin', '0.9', '--vmax', '1.08'];
    const io = captureIo(dir);
    const args = ['--candidates', 'cands3.txt', '--sizes', 'sizes3.csv', '--days', '1', '--workers', '2'];
    const code = await main(['site', ieee13, ...args, ...limits, '--json', 'site3.json'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/IEEE13Nodeckt \(three-phase OPF\): 4 candidates/);
    const doc = JSON.parse(readFileSync(join(dir, 'site3.json'), 'utf8'));
    expect(doc.model).toBe('three-phase');
    expect(doc.candidates).toEqual(['611.3', '675.1', '675.2', '675.3']);
    expect(
      doc.marginalValue.map((m: { bus: string; phaseNodes: number[] }) => `${m.bus}.${m.phaseNodes[0]}`).sort(),
    ).toEqual(doc.candidates);
    const first = doc.ranked.find((r: { feasible: boolean }) => r.feasible);
    expect(first.sites[0]).toMatchObject({ kw: 30, kwh: 120, kva: 36, phases: 1 });
    expect(first.sites[0].phaseNodes).toHaveLength(1);
    const part = first.verification.parts[0];
    expect(part.rerun).toMatch(/^--year-day \d+ --vmin 0\.9 --vmax 1\.08$/);
    expect(first.solveArgs).toBe(`--battery ${first.sites[0].bus}.${first.sites[0].phaseNodes[0]}:30:120:36`);
    expect(part.validationMaxVoltageDiffPu).toBeLessThan(1e-6);
    const again = captureIo(dir);
    expect(
      await main(
        ['solve', ieee13, ...part.rerun.split(' '), ...first.solveArgs.split(' '), '--json', 'again3.json'],
        again,
      ),
    ).toBe(0);
    const solved = JSON.parse(readFileSync(join(dir, 'again3.json'), 'utf8'));
    expect(solved.batteries.at(-1)).toMatchObject({ bus: first.sites[0].bus, phases: first.sites[0].phaseNodes });
    expect(Math.abs(solved.objective - part.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(part.objective));
    // bad input on a three-phase feeder
    writeFileSync(join(dir, 'cands3bad.txt'), '611.1\n675.1.2\n');
    const bad = captureIo(dir);
    expect(await main(['site', ieee13, '--candidates', 'cands3bad.txt', '--days', '1'], bad)).toBe(2);
    expect(bad.err).toMatch(/candidate on a phase their bus does not have .*: 611\.1/);
    expect(bad.err).toMatch(/candidate on two phases .*: 675\.1\.2/);
    expect(await main(['site', ieee13, '--phases', '2'], bad)).toBe(2);
    expect(bad.err).toMatch(/--phases on a three-phase feeder must be 1, 3 or both/);
  }, 900_000);

  it('bad input: no candidate, unknown bus, a sizes header, profiles of the wrong length, both --days and --contiguous', async () => {
    writeFileSync(join(dir, 'none.txt'), 'bus\n');
    let io = captureIo(dir);
    expect(await main(['site', 'ieee123', '--candidates', 'none.txt'], io)).toBe(2);
    expect(io.err).toMatch(/no candidate bus/);
    writeFileSync(join(dir, 'unknown.txt'), '114\nX9\n');
    io = captureIo(dir);
    expect(await main(['site', 'ieee123', '--candidates', 'unknown.txt', '--days', '1'], io)).toBe(2);
    expect(io.err).toMatch(/candidate bus not in the feeder ieee123-balanced: X9/);
    writeFileSync(join(dir, 'badsizes.csv'), 'power,energy\n1,4\n');
    io = captureIo(dir);
    expect(await main(['site', 'ieee123', '--sizes', 'badsizes.csv'], io)).toBe(2);
    expect(io.err).toMatch(/badsizes\.csv: header must be kw,kwh/);
    const short = join(dir, 'short-year');
    mkdirSync(short, { recursive: true });
    for (const n of ['load_ercot-ncent_2023.csv', 'pv_denton-tx_tmy.csv'])
      copyFileSync(testDataPath('year-profiles', n), join(short, n));
    writeFileSync(
      join(short, 'price.csv'),
      readFileSync(testDataPath('year-profiles', 'price_ercot-north_2023.csv'), 'utf8')
        .split('\n')
        .slice(0, 8000)
        .join('\n'),
    );
    io = captureIo(dir);
    expect(await main(['site', 'ieee123', '--profiles', 'short-year'], io)).toBe(2);
    expect(io.err).toMatch(/price\.csv: 7999 hourly values, a year needs exactly 8760/);
    io = captureIo(dir);
    expect(await main(['site', 'ieee123', '--days', '3', '--contiguous', '0:168'], io)).toBe(2);
    expect(io.err).toMatch(/either --days N or --contiguous/);
  });

  it("dates the representative days in the planner's year: the timestamps' year (2024 here), else --year for hour,value files", async () => {
    const names = ['load_ercot-ncent_2023.csv', 'pv_denton-tx_tmy.csv', 'price_ercot-north_2023.csv'];
    const rowsOf = (n: string): string[] =>
      readFileSync(testDataPath('year-profiles', n), 'utf8').trim().split('\n').slice(1);
    // The vendored year as the planner's 2024 (ISO timestamps, 8784 rows: 29 February a copy of the 28th) …
    const leapDir = join(dir, 'year-2024');
    mkdirSync(leapDir, { recursive: true });
    for (const n of names) {
      const v = rowsOf(n).map((l) => l.split(',')[1]!);
      const all = [...v.slice(0, 59 * 24), ...v.slice(58 * 24, 59 * 24), ...v.slice(59 * 24)];
      const stamp = (h: number): string => new Date(Date.UTC(2024, 0, 1, h)).toISOString().slice(0, 16);
      writeFileSync(join(leapDir, n), ['timestamp,value', ...all.map((x, h) => `${stamp(h)},${x}`)].join('\n'));
    }
    // … and as hour,value rows, which name no year.
    const hourDir = join(dir, 'year-hours');
    mkdirSync(hourDir, { recursive: true });
    for (const n of names)
      writeFileSync(join(hourDir, n), ['hour,value', ...rowsOf(n).map((l, h) => `${h},${l.split(',')[1]}`)].join('\n'));
    writeFileSync(join(dir, 'one.txt'), '65\n');
    const study = async (extra: string[]): Promise<{ label: string; day: number; description: string }> => {
      const io = captureIo(dir);
      const args = ['--candidates', 'one.txt', '--sizes', 'sizes.csv', '--days', '1', '--workers', '1'];
      expect(await main(['site', 'ieee123', ...args, ...extra, '--json', 'year.json'], io)).toBe(0);
      const doc = JSON.parse(readFileSync(join(dir, 'year.json'), 'utf8'));
      const part = doc.ranked[0].verification.parts[0];
      return {
        label: part.label,
        day: Number(/--year-day (\d+)/.exec(part.rerun)![1]) - 1,
        description: doc.horizon.description,
      };
    };
    const leap = await study(['--profiles', 'year-2024']);
    // day index 59 on is one calendar day later in a leap year (29 February is left out)
    const leapDate = new Date(Date.UTC(2024, 0, 1 + leap.day + (leap.day >= 59 ? 1 : 0))).toISOString().slice(0, 10);
    expect(leap.label).toBe(`day ${leapDate} (×365)`);
    expect(leap.description).toBe('1 representative days of year-2024 (2024)');
    const hours = await study(['--profiles', 'year-hours', '--year', '2021']);
    expect(hours.day).toBe(leap.day);
    expect(hours.label).toBe(`day ${new Date(Date.UTC(2021, 0, 1 + hours.day)).toISOString().slice(0, 10)} (×365)`);
    // the same calendar date as in the leap year: the same data
    expect(hours.label.slice(9)).toBe(leap.label.slice(9));
    expect((await study(['--profiles', 'year-hours'])).label).toMatch(/^day 2023-/);
    const bad = captureIo(dir);
    expect(await main(['site', 'ieee123', '--profiles', 'year-2024', '--year', '2023', '--days', '1'], bad)).toBe(2);
    expect(bad.err).toMatch(/price_ercot-north_2023\.csv: its timestamps are of 2024, but the year given is 2023/);
    expect(await main(['site', 'ieee123', '--year', '2024'], bad)).toBe(2);
    expect(bad.err).toMatch(/--year is the year of --profiles files/);
    expect(await main(['site', 'ieee123', '--profiles', 'year-hours', '--year', 'soon'], bad)).toBe(2);
    expect(bad.err).toMatch(/--year must be a calendar year such as 2024 \(got "soon"\)/);
  }, 600_000);

  it('parses sizes and candidates files; default sizes are 4-hour ladders of the peak load', () => {
    expect(parseSizesCsv('kw,kwh\n100,400\n50,200\n', 's')).toEqual([
      { kw: 100, kwh: 400 },
      { kw: 50, kwh: 200 },
    ]);
    expect(parseSizesCsv('KW,KWH,KVA\n100,400,150\n', 's')).toEqual([{ kw: 100, kwh: 400, kva: 150 }]);
    expect(() => parseSizesCsv('kw,kwh\n100,x\n', 's.csv')).toThrow(/s\.csv line 2: expected 2 positive numbers/);
    expect(() => parseSizesCsv('kw,kwh,kva\n100,400,50\n', 's.csv')).toThrow(/kva 50 is below kw 100/);
    expect(parseCandidates('114\n\n65, comment\n')).toEqual(['114', '65']);
    expect(defaultSizes(1163.2)).toEqual([
      { kw: 60, kwh: 240 },
      { kw: 115, kwh: 460 },
      { kw: 235, kwh: 940 },
      { kw: 350, kwh: 1400 },
    ]);
  });
});
