import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportPreview, ProjectSummary, Scenario } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { COMED_PRICES_2023_11_10_CENTS_PER_KWH } from '../store/defaults';
import { testDataUrl } from '../../../test-data/index';

const refDir = testDataUrl('ieee123-balanced/');
const backends: Backend[] = [];
function backend(dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'))): Backend {
  const b = new Backend({ resourcesDir, dataDir, host: 'node-host' });
  backends.push(b);
  return b;
}
afterEach(() => {
  for (const b of backends.splice(0)) b.close();
});

async function ok<T>(b: Backend, command: string, arg: unknown): Promise<T> {
  const r = await b.handle(command, arg);
  if (!r.ok) throw new Error(`${command} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
async function fail(b: Backend, command: string, arg: unknown): Promise<string> {
  const r = await b.handle(command, arg);
  if (r.ok) throw new Error(`${command} unexpectedly succeeded`);
  return `${r.error.code}: ${r.error.message}`;
}

describe('first start and the IEEE 123 example', () => {
  it('opens the bundled example on first start: feeder, 17 PV, 26 batteries, 4 areas, default study with ComEd prices', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
    const b = backend(dataDir);
    const s = await ok<ProjectSummary>(b, 'projects.current', null);
    expect(s.path).toBe(join(dataDir, 'projects', 'ieee123.tessera'));
    expect(s.feeders).toHaveLength(1);
    expect(s.feeders[0]).toMatchObject({ buses: 128, branches: 127, loads: 85, pv: 17, batteries: 26, capacitors: 4 });
    expect(s.scenarios).toEqual([
      expect.objectContaining({ name: 'Base case', pvCount: 17, batteryCount: 26, areaCount: 4 }),
    ]);
    const sc = await ok<Scenario>(b, 'scenarios.get', { id: s.scenarios[0]!.id });
    expect(sc.partition.cuts).toEqual([
      { from: '15', to: '117' },
      { from: '20', to: '118' },
      { from: '62', to: '125' },
    ]);
    expect(sc.study).toMatchObject({
      periods: 24,
      dtH: 1,
      objective: 'cost',
      vMinPu: 0.95,
      vMaxPu: 1.05,
      alpha: 0.001,
      terminalSoc: 'equal',
    });
    expect(sc.study.priceCentsPerKwh).toEqual(COMED_PRICES_2023_11_10_CENTS_PER_KWH);
    expect(sc.study.loadShape[19]).toBe(1);
    // The battery ratings are the reference Storage.dss's (independent of our import path).
    const storage = readFileSync(new URL('dss/Storage.dss', refDir), 'utf8');
    const b3 = sc.placements.batteries.find((x) => x.bus === '3')!;
    expect(storage).toMatch(
      new RegExp(
        `bus1=3\\.1 .*kVA=${b3.sRatedKva.toFixed(4)} kWrated=${b3.pRatedKw} kWhrated=${b3.energyKwh.toFixed(3)}`,
      ),
    );
    const check = await ok<{ ok: boolean; areas: unknown[] }>(b, 'partition.check', {
      feederId: s.feeders[0]!.id,
      cuts: sc.partition.cuts,
    });
    expect(check.ok).toBe(true);
    expect(check.areas).toHaveLength(4);
    // Not on later starts: the recent list exists, so nothing opens by itself.
    b.close();
    const later = backend(dataDir);
    expect(await ok(later, 'projects.current', null)).toBeNull();
    expect((await ok<{ path: string }[]>(later, 'projects.recent', null)).map((r) => r.path)).toEqual([s.path]);
  });
});

describe('scenario edits', () => {
  it('persists every update at once, duplicates, bulk-places and deletes only with confirmation', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
    const b = backend(dataDir);
    const s = await ok<ProjectSummary>(b, 'projects.openExample', { id: 'ieee123' });
    const id = s.scenarios[0]!.id;
    const events: string[] = [];
    b.on('project.changed', (e) => events.push(e.path));
    await ok(b, 'scenarios.update', { id, patch: { study: { periods: 12, vMinPu: 0.9 }, name: 'Edited' } });
    // A second backend (as after a crash and restart) sees the edit without any save step.
    const other = backend(mkdtempSync(join(tmpdir(), 'tessera-data-')));
    await ok(other, 'projects.open', { path: s.path });
    expect(await ok<Scenario>(other, 'scenarios.get', { id })).toMatchObject({
      name: 'Edited',
      study: { periods: 12, vMinPu: 0.9, vMaxPu: 1.05 },
    });
    other.close();
    expect(events).toEqual([s.path]);

    const copy = await ok<Scenario>(b, 'scenarios.duplicate', { id });
    expect(copy.name).toBe('Edited (copy)');
    const placed = await ok<Scenario>(b, 'placements.bulk', {
      scenarioId: copy.id,
      rule: {
        kind: 'battery',
        fractionOfLoadBuses: 0.3,
        powerFractionOfPeakLoad: 0.35,
        energyHours: 4,
        inverterRatio: 1.2,
        seed: 3,
        replace: true,
      },
    });
    expect(placed.placements.batteries).toHaveLength(26);
    expect(placed.placements.pv).toHaveLength(17);
    expect(await fail(b, 'scenarios.delete', { id: copy.id, confirm: false })).toMatch(
      /^invalidArgument: scenarios.delete: deleting needs confirm: true/,
    );
    const after = await ok<ProjectSummary>(b, 'scenarios.delete', { id: copy.id, confirm: true });
    expect(after.scenarios.map((x) => x.id)).toEqual([id]);
    const suggested = await ok<{ cuts: unknown[] }>(b, 'partition.suggest', { feederId: s.feeders[0]!.id, k: 4 });
    expect(suggested.cuts).toHaveLength(3);
  });

  it('rejects wrong types, NaN, negative ratings, bad ranges and unknown ids with specific messages', async () => {
    const b = backend();
    expect(await fail(b, 'scenarios.get', { id: 1 })).toMatch(/^noProject: /);
    const s = await ok<ProjectSummary>(b, 'projects.openExample', { id: 'ieee123' });
    const id = s.scenarios[0]!.id;
    const sc = await ok<Scenario>(b, 'scenarios.get', { id });
    const bat = sc.placements.batteries[0]!;
    const cases: [string, unknown, RegExp][] = [
      ['scenarios.get', { id: '1' }, /^invalidArgument: scenarios.get: id must be a finite number, got "1"/],
      ['scenarios.get', { id: 1.5 }, /^invalidArgument: scenarios.get: id must be an integer, got 1.5/],
      ['scenarios.get', { id: 999 }, /^notFound: No scenario with id 999/],
      ['feeders.get', { id: 42 }, /^notFound: No feeder with id 42/],
      [
        'scenarios.update',
        { id, patch: { study: { vMinPu: Number.NaN } } },
        /^invalidArgument: scenarios.update: patch.study.vMinPu must be a finite number, got NaN/,
      ],
      [
        'scenarios.update',
        { id, patch: { study: { vMinPu: 1.1 } } },
        /^invalidArgument: scenarios.update: vMinPu \(1.1\) must be below vMaxPu \(1.05\)/,
      ],
      ['scenarios.update', { id, patch: { study: { periods: 0 } } }, /patch.study.periods must be ≥ 1, got 0/],
      [
        'scenarios.update',
        { id, patch: { study: { objective: 'profit' } } },
        /patch.study.objective must be one of 'cost', 'loss', got "profit"/,
      ],
      [
        'scenarios.update',
        { id, patch: { colour: 'red' } },
        /^invalidArgument: scenarios.update: patch has an unknown field "colour"/,
      ],
      [
        'scenarios.update',
        { id, patch: { placements: { pv: [], batteries: [{ ...bat, pRatedKw: -5 }] } } },
        /patch.placements.batteries\[0\].pRatedKw must be ≥ 0, got -5/,
      ],
      [
        'scenarios.update',
        { id, patch: { placements: { pv: [], batteries: [{ ...bat, socInitial: 0.1 }] } } },
        /socInitial must be within \[socMin, socMax\]/,
      ],
      [
        'scenarios.update',
        { id, patch: { placements: { pv: [], batteries: [{ ...bat, bus: 'nowhere' }] } } },
        /bus nowhere, which is not in the feeder/,
      ],
      ['scenarios.update', { id: 12345, patch: { name: 'x' } }, /^notFound: No scenario with id 12345/],
      ['partition.suggest', { feederId: s.feeders[0]!.id, k: 0 }, /k must be ≥ 1, got 0/],
      [
        'placements.bulk',
        {
          scenarioId: id,
          rule: {
            kind: 'battery',
            fractionOfLoadBuses: 2,
            powerFractionOfPeakLoad: 0.35,
            inverterRatio: 1.2,
            seed: 1,
            replace: true,
          },
        },
        /rule.fractionOfLoadBuses must be ≤ 1, got 2/,
      ],
      [
        'projects.openExample',
        { id: '../../etc' },
        /^invalidArgument: projects.openExample: id must be an example folder name/,
      ],
      ['projects.open', { path: 'relative.tessera' }, /path must be absolute/],
      ['import.commit', { token: 'nope' }, /^notFound: That import preview has expired/],
    ];
    for (const [command, arg, expected] of cases) expect(await fail(b, command, arg), command).toMatch(expected);
    // Nothing of the rejected edits reached the file.
    expect(await ok<Scenario>(b, 'scenarios.get', { id })).toEqual(sc);
  });
});

describe('import', () => {
  const dssFiles = () =>
    readdirSync(new URL('dss/', refDir)).map((name) => ({
      name: `ieee123/${name}`,
      text: readFileSync(new URL(`dss/${name}`, refDir), 'utf8'),
    }));

  it('previews and commits the reference OpenDSS set into the open project', async () => {
    const b = backend();
    await ok(b, 'projects.create', { name: 'Imports' });
    const preview = await ok<ImportPreview>(b, 'import.preview', { files: dssFiles() });
    expect(preview.errors).toEqual([]);
    expect(preview).toMatchObject({
      ok: true,
      format: 'dss',
      counts: { buses: 128, loads: 85, pv: 17, batteries: 26, capacitors: 4 },
    });
    const s = await ok<ProjectSummary>(b, 'import.commit', { token: preview.token, name: 'IEEE 123 from DSS' });
    expect(s.feeders).toEqual([
      expect.objectContaining({ name: 'IEEE 123 from DSS', source: 'OpenDSS: ieee123/Master.dss', buses: 128 }),
    ]);
    expect(s.scenarios).toEqual([
      expect.objectContaining({ name: 'Base case', pvCount: 17, batteryCount: 26, areaCount: 1 }),
    ]);
    expect(await fail(b, 'import.commit', { token: preview.token })).toMatch(/^notFound: /);
  });

  it('carries what the import assumed for a unit to its placement (notes), and keeps them through an edit', async () => {
    const b = backend();
    await ok(b, 'projects.create', { name: 'Notes' });
    const master = [
      'New Circuit.n bus1=s basekv=2.4 phases=1',
      'New Line.l1 bus1=s bus2=a r1=0.1 x1=0.1',
      'New Line.l2 bus1=a bus2=c r1=0.1 x1=0.1',
      'New Load.la bus1=a phases=1 kV=2.4 kW=50 pf=0.9',
      'New PVSystem.p1 bus1=c phases=1 Pmpp=20 %Pmpp=80',
      'New PVSystem.p2 bus1=a phases=1 Pmpp=10 kVA=12',
    ].join('\n');
    const preview = await ok<ImportPreview>(b, 'import.preview', { files: [{ name: 'Master.dss', text: master }] });
    expect(preview).toMatchObject({ ok: true, format: 'dss' });
    const s = await ok<ProjectSummary>(b, 'import.commit', { token: preview.token, name: 'notes' });
    const id = s.scenarios.find((x) => x.name === 'Base case' && x.feederId === s.feeders.at(-1)!.id)!.id;
    const sc = await ok<Scenario>(b, 'scenarios.get', { id });
    const [p1, p2] = sc.placements.pv;
    expect(p1!.notes).toEqual([
      "no kVA given: OpenDSS's default inverter rating 500 kVA used",
      '%Pmpp=80 (output cap) is not modelled',
    ]);
    expect(p2!.notes).toBeUndefined();
    const edited = await ok<Scenario>(b, 'scenarios.update', {
      id,
      patch: { placements: { ...sc.placements, pv: [{ ...p1!, pRatedKw: 25 }, p2!] } },
    });
    expect(edited.placements.pv[0]).toMatchObject({ pRatedKw: 25, notes: p1!.notes });
    expect(
      await fail(b, 'scenarios.update', {
        id,
        patch: { placements: { ...sc.placements, pv: [{ ...p1!, notes: [42] }, p2!] } },
      }),
    ).toMatch(/patch.placements.pv\[0\].notes\[0\] must be a string/);
  });

  it('reads an OpenDSS set from a zip archive', async () => {
    const b = backend();
    const zip = zipSync(Object.fromEntries(dssFiles().map((f) => [f.name, strToU8(f.text)])));
    const preview = await ok<ImportPreview>(b, 'import.preview', {
      files: [{ name: 'ieee123.zip', base64: Buffer.from(zip).toString('base64') }],
    });
    expect(preview).toMatchObject({ ok: true, format: 'dss', counts: { buses: 128, pv: 17, batteries: 26 } });
    const bad = await ok<ImportPreview>(b, 'import.preview', {
      files: [{ name: 'x.zip', base64: Buffer.from('not a zip').toString('base64') }],
    });
    expect(bad.errors[0]!.message).toMatch(/not a readable zip archive/);
  });

  it('points errors at the file and line', async () => {
    const b = backend();
    const files = dssFiles().map((f) =>
      f.name.endsWith('Line.dss') ? { ...f, text: f.text.replace('r1=0.0232', 'r1=abc') } : f,
    );
    const preview = await ok<ImportPreview>(b, 'import.preview', { files });
    expect(preview.ok).toBe(false);
    expect(preview.errors[0]).toMatchObject({ file: 'ieee123/Line.dss', line: 2 });
    const csv = await ok<ImportPreview>(b, 'import.preview', {
      files: [
        { name: 'linedata.csv', text: 'fbus,tbus,R,X\n1,2,0.1,0.1\n2,3,x,0.1\n' },
        { name: 'powerdata.csv', text: 'bus,P_L,Q_L,Q_C,P_der,busType\n1,0,0,0,0,0\n2,1,1,0,0,0\n3,1,1,0,0,0\n' },
      ],
    });
    expect(csv.ok).toBe(false);
    expect(csv.errors[0]).toMatchObject({ file: 'linedata.csv', line: 3 });
  });
});

describe('projects.update (inline rename and report settings)', () => {
  it('renames the open project, keeps author and organisation, and shows the new name in the recent list after reopening', async () => {
    const b = backend();
    const created = await ok<ProjectSummary>(b, 'projects.create', { name: 'Draft study' });
    expect(created).toMatchObject({ author: '', organisation: '' });
    const renamed = await ok<ProjectSummary>(b, 'projects.update', {
      name: '  Feeder 12 storage study ',
      author: 'A. Planner',
      organisation: 'North Utility',
    });
    expect(renamed).toMatchObject({
      name: 'Feeder 12 storage study',
      author: 'A. Planner',
      organisation: 'North Utility',
    });
    // Setting one field leaves the others alone.
    const only = await ok<ProjectSummary>(b, 'projects.update', { author: 'B. Engineer' });
    expect(only).toMatchObject({
      name: 'Feeder 12 storage study',
      author: 'B. Engineer',
      organisation: 'North Utility',
    });
    await ok(b, 'projects.close', null);
    const reopened = await ok<ProjectSummary>(b, 'projects.open', { path: created.path });
    expect(reopened).toMatchObject({
      name: 'Feeder 12 storage study',
      author: 'B. Engineer',
      organisation: 'North Utility',
    });
    const recent = await ok<{ path: string; name: string }[]>(b, 'projects.recent', null);
    expect(recent.find((r) => r.path === created.path)?.name).toBe('Feeder 12 storage study');
  });

  it('refuses an empty name and unknown settings with the field named', async () => {
    const b = backend();
    await ok<ProjectSummary>(b, 'projects.create', { name: 'Study' });
    expect(await fail(b, 'projects.update', { name: '' })).toMatch(/name/);
    expect(await fail(b, 'projects.update', { colour: 'red' })).toMatch(/colour/);
  });
});
