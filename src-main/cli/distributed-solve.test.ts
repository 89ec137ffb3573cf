/**
 * `tessera solve --distributed`: the cuts-file formats, and a run through real area processes
 * whose JSON holds the centralized result shape plus the "distributed" object of the issue.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveAreaProcesses } from '../backend/jobs/node-area-transport';
import { parseCutsFile } from './distributed-solve';
import { main } from './main';
import { captureIo } from './test-support';
import { testDataUrl } from '../../test-data/index';

describe('cuts files', () => {
  it('reads the reference connections.csv, a from,to CSV and JSON', () => {
    const ref = readFileSync(testDataUrl('ieee123-balanced/areas4/connections.csv'), 'utf8');
    expect(parseCutsFile(ref, 'connections.csv')).toEqual([
      { from: '15', to: '117' },
      { from: '20', to: '118' },
      { from: '62', to: '125' },
    ]);
    expect(parseCutsFile('from,to\n15,117\n', 'a.csv')).toEqual([{ from: '15', to: '117' }]);
    expect(parseCutsFile('[{"from":"20","to":"118"}]', 'a.json')).toEqual([{ from: '20', to: '118' }]);
    expect(() => parseCutsFile('a,b\n1,2\n', 'bad.csv')).toThrow(/bad\.csv:1: expected a header/);
  });
});

describe('tessera solve --distributed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dist-cli-'));

  it('solves IEEE 123 by its 4 areas in processes and writes the JSON with the distributed object', async () => {
    writeFileSync(join(dir, 'areas.csv'), 'from,to\n15,117\n20,118\n62,125\n');
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        'ieee123',
        '--distributed',
        '--areas',
        'areas.csv',
        '--hours',
        '2',
        '--start',
        '10',
        '--tolerance',
        '1e-5',
        '--max-rounds',
        '100',
        '--json',
        'out.json',
      ],
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/distributed OPF \(exact coordination\), 4 areas/);
    expect(io.out).toMatch(/critical path \d+\.\d+ CPU s/);
    expect(io.out).toMatch(/converged: converged in \d+ rounds/);
    expect(io.out).toMatch(/largest difference: /);
    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(doc.status).toBe('solved');
    expect(doc.periods).toHaveLength(2);
    const d = doc.distributed;
    expect(d.areas).toHaveLength(4);
    expect(d.converged).toBe(true);
    expect(d.maxBoundaryChangePu).toBeLessThan(1e-5);
    expect(d.residualsPerRound).toHaveLength(d.rounds);
    expect(d.areaSeconds).toHaveLength(d.rounds);
    expect(d.areaSeconds[0]).toHaveLength(4);
    expect(d.wallSeconds).toBeGreaterThan(0);
    expect(d.comparison.maxRelDiff).toBeLessThan(1e-3);
    expect(d.coordination).toBe('exact');
    // CPU seconds measured inside each area process, per round; the critical path is Σ_rounds max_area.
    expect(d.areaCpuSeconds).toHaveLength(d.rounds);
    expect(d.areaCpuSeconds.flat().every((c: number) => c > 0)).toBe(true);
    const crit = (d.areaCpuSeconds as number[][]).reduce((s, r) => s + Math.max(...r), 0);
    expect(d.criticalPathCpuSeconds).toBeCloseTo(crit, 9);
    expect(d.criticalPathCpuSeconds).toBeLessThan((d.areaCpuSeconds as number[][]).flat().reduce((s, c) => s + c, 0));
    expect(liveAreaProcesses.size).toBe(0);
  }, 180_000);

  it("--coordination published: the papers' exchange, reported with its difference from the centralized solve", async () => {
    writeFileSync(join(dir, 'areas.csv'), 'from,to\n15,117\n20,118\n62,125\n');
    const io = captureIo(dir);
    const code = await main(
      [
        'solve',
        'ieee123',
        '--distributed',
        '--areas',
        'areas.csv',
        '--hours',
        '2',
        '--start',
        '10',
        '--coordination',
        'published',
        '--json',
        'pub.json',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(io.out).toMatch(/distributed OPF \(published coordination\)/);
    expect(io.out).toMatch(/not the centralized optimum/);
    const d = JSON.parse(readFileSync(join(dir, 'pub.json'), 'utf8')).distributed;
    expect(d.coordination).toBe('published');
    expect(d.comparison.rows.length).toBeGreaterThan(5);
    expect(d.rounds).toBeLessThanOrEqual(6);
  }, 180_000);

  it('refuses a bad --coordination, and --coordination without --distributed, with exit 2', async () => {
    const io = captureIo(dir);
    await expect(
      main(['solve', 'ieee123', '--distributed', '--auto-areas', '2', '--hours', '1', '--coordination', 'fast'], io),
    ).resolves.toBe(2);
    expect(io.err).toMatch(/coordination/);
    const io2 = captureIo(dir);
    await expect(main(['solve', 'ieee123', '--hours', '1', '--coordination', 'exact'], io2)).resolves.toBe(2);
    expect(io2.err).toMatch(/--coordination needs --distributed/);
  }, 60_000);

  it('refuses an invalid cut with the reason and exit 2', async () => {
    const io = captureIo(dir);
    writeFileSync(join(dir, 'bad.csv'), 'from,to\n117,15\n');
    await expect(main(['solve', 'ieee123', '--distributed', '--areas', 'bad.csv', '--hours', '1'], io)).resolves.toBe(
      2,
    );
    expect(io.err).toMatch(/named backwards/);
  }, 60_000);
});
