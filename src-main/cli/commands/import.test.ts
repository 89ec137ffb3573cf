import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { writeTesseraCsv } from '../../../src-solver/io/csv/tessera';
import { importDss } from '../../../src-solver/io/dss/index';
import { unwrapImport } from '../../../src-solver/io/types';
import { main } from '../main';
import { testDataPath } from '../../../test-data/index';

const ref = testDataPath('ieee123-balanced/');
const ieee13 = fileURLToPath(new URL('../../../test-data/dss/ieee13/IEEE13Nodeckt.dss', import.meta.url));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd() });
  return { code, out: out.join(''), err: err.join('') };
}

describe('tessera import', () => {
  it('prints the --json counts of the IEEE 123 case from OpenDSS', async () => {
    const r = await run(['import', join(ref, 'dss/Master.dss'), '--json', '--soc-max', '0.95']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      buses: 128,
      branches: 127,
      loads: 85,
      pv: 17,
      batteries: 26,
      capacitors: 4,
      substationBus: '1',
      warnings: [],
    });
    // Without --soc-max the assumed ceiling is a located warning.
    const w = JSON.parse((await run(['import', join(ref, 'dss/Master.dss'), '--json'])).out) as {
      warnings: { file: string; line: number; message: string }[];
    };
    expect(w.warnings).toEqual([
      { file: join(ref, 'dss/Storage.dss'), line: 1, message: expect.stringContaining('OpenDSS has no SOC ceiling') },
    ]);
  });

  it('reads the reference CSV pair from its folder', async () => {
    const r = await run(['import', join(ref, 'csv'), '--json']);
    expect(JSON.parse(r.out)).toMatchObject({
      buses: 128,
      branches: 127,
      loads: 85,
      pv: 0,
      batteries: 0,
      capacitors: 4,
    });
  });

  it('summarises the IEEE 13 feeder with its reduction report', async () => {
    const r = await run(['import', ieee13]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Feeder IEEE13Nodeckt (OpenDSS)');
    expect(r.out).toMatch(/branches\s+15 \(11 lines, 1 switch, 2 transformers, 1 regulator\)/);
    expect(r.out).toContain('largest load phase imbalance 200.0 % at bus 645');
  });

  it('reads a Tessera CSV folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-import-'));
    const feeder = unwrapImport(importDss(ieee13, (p) => readFileSync(p, 'utf8'))).feeder;
    for (const [name, text] of Object.entries(writeTesseraCsv(feeder))) writeFileSync(join(dir, name), text);
    const r = await run(['import', dir, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ buses: 16, branches: 15, loads: 15, substationBus: 'SourceBus' });
  });

  it('exits non-zero with located errors on stderr for invalid input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-import-'));
    writeFileSync(
      join(dir, 'bad.dss'),
      'New Circuit.c bus1=s phases=1\nNew Line.l1 s a\nNew Line.l2 a b\nNew Line.l3 b s\n',
    );
    const r = await run(['import', join(dir, 'bad.dss')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      `${join(dir, 'bad.dss')}:4:5: branch l3: the feeder is not radial: branches l2, l1, l3 form a loop`,
    );
    const missing = await run(['import', join(dir, 'nope.dss')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file or folder');
  });
});
