/**
 * Zip import caps (issue #13: a 4 MB zip drove the host to 13.2 GB). The bombs are crafted here:
 * one deflated MiB of zeros (about 1 KB) repeated under many names, with honest or lying sizes in
 * the headers, written by a minimal zip writer of the test's own.
 */
import { Deflate, deflateSync, strToU8, zipSync } from 'fflate';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportPreview } from '../../contract';
import { resourcesDir } from '../../paths';
import { Backend } from '../backend';
import { DEFAULT_ZIP_LIMITS, unzipWithLimits, ZipRefused } from './zip';

const MiB = 1024 * 1024;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Entry {
  name: string;
  deflated: Uint8Array;
  crc: number;
  realSize: number;
  /** The uncompressed size written into the headers (a bomb lies here). */
  declaredSize?: number;
}

/** A zip archive of deflated entries (local headers, central directory, end record). */
function craftZip(entries: readonly Entry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = strToU8(e.name);
    const size = e.declaredSize ?? e.realSize;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, 8, true);
    local.setUint32(14, e.crc, true);
    local.setUint32(18, e.deflated.length, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(10, 8, true);
    cd.setUint32(16, e.crc, true);
    cd.setUint32(20, e.deflated.length, true);
    cd.setUint32(24, size, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, e.deflated);
    central.push(new Uint8Array(cd.buffer), name);
    offset += 30 + name.length + e.deflated.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of all) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const zeros = new Uint8Array(MiB);
const zerosDeflated = deflateSync(zeros, { level: 9 });
const zerosCrc = crc32(zeros);
function zeroEntries(count: number, declaredSize?: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `bomb/part${i}.dss`,
    deflated: zerosDeflated,
    crc: zerosCrc,
    realSize: MiB,
    ...(declaredSize === undefined ? {} : { declaredSize }),
  }));
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ZipRefused) return err.message;
    return `other error: ${(err as Error).message}`;
  }
  return 'accepted';
}

describe('unzipWithLimits', () => {
  it('unpacks an ordinary archive (deflated and stored entries) exactly', () => {
    const files = {
      'feeder/Master.dss': strToU8('New Circuit.x\n'.repeat(1000)),
      'feeder/lines.dss': strToU8('New Line.a\n'),
      'feeder/': new Uint8Array(),
    };
    const zip = zipSync({
      'feeder/Master.dss': [files['feeder/Master.dss'], { level: 6 }],
      'feeder/lines.dss': [files['feeder/lines.dss'], { level: 0 }],
    });
    const out = unzipWithLimits(zip);
    expect([...out.keys()].sort()).toEqual(['feeder/Master.dss', 'feeder/lines.dss']);
    expect(out.get('feeder/Master.dss')).toEqual(files['feeder/Master.dss']);
    expect(out.get('feeder/lines.dss')).toEqual(files['feeder/lines.dss']);
  });

  it('refuses a bomb whose headers say how big it is, before inflating anything (default caps)', () => {
    const zip = craftZip(zeroEntries(600));
    expect(zip.length).toBeLessThan(2 * MiB);
    expect(refusal(() => unzipWithLimits(zip))).toBe('the zip would unpack to 600 MB; at most 512 MB can be imported');
    const one = craftZip([
      { name: 'huge.dss', deflated: zerosDeflated, crc: zerosCrc, realSize: MiB, declaredSize: 300 * MiB },
    ]);
    expect(refusal(() => unzipWithLimits(one))).toBe('huge.dss would unpack to 300 MB; one file may be at most 256 MB');
  });

  it('refuses too many entries (default cap) before inflating', () => {
    const entries = Array.from({ length: DEFAULT_ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({
      name: `f${i}.dss`,
      deflated: deflateSync(new Uint8Array()),
      crc: 0,
      realSize: 0,
    }));
    expect(refusal(() => unzipWithLimits(craftZip(entries)))).toBe(
      'the zip holds 5001 entries; at most 5000 can be imported',
    );
  });

  it('counts the bytes really inflated when the headers lie: total cap', () => {
    const zip = craftZip(zeroEntries(600, 1000));
    const limits = { maxEntries: 5000, maxEntryBytes: 4 * MiB, maxTotalBytes: 16 * MiB };
    expect(refusal(() => unzipWithLimits(zip, limits))).toBe(
      'the zip unpacks to more than 16 MB; at most 16 MB can be imported',
    );
  });

  it('counts the bytes really inflated when the headers lie: one entry over its cap', () => {
    const stream = new Deflate({ level: 9 });
    const chunks: Uint8Array[] = [];
    stream.ondata = (c) => chunks.push(c);
    for (let i = 0; i < 8; i++) stream.push(zeros, i === 7);
    const deflated = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
    chunks.reduce((at, c) => (deflated.set(c, at), at + c.length), 0);
    let crc = 0;
    for (let i = 0; i < 8; i++) crc = crc32(zeros, crc);
    const zip = craftZip([{ name: 'liar.dss', deflated, crc, realSize: 8 * MiB, declaredSize: 10 }]);
    const limits = { maxEntries: 10, maxEntryBytes: 2 * MiB, maxTotalBytes: 64 * MiB };
    expect(refusal(() => unzipWithLimits(zip, limits))).toMatch(
      /^liar\.dss unpacks to more than 2\.0 MB \(its header said 0\.0 MB\); one file may be at most 2\.0 MB$/,
    );
  });

  it('says a damaged archive is not readable', () => {
    expect(refusal(() => unzipWithLimits(strToU8('PK not really a zip')))).toMatch(/^not a readable zip archive/);
  });
});

describe('import.preview of a zip bomb', () => {
  it('answers with the cap in the preview errors, not by exhausting memory', async () => {
    const backend = new Backend({
      resourcesDir,
      dataDir: mkdtempSync(join(tmpdir(), 'tessera-zip-')),
      host: 'node-host',
    });
    try {
      const zip = craftZip(zeroEntries(600));
      const r = await backend.handle('import.preview', {
        files: [{ name: 'feeder.zip', base64: Buffer.from(zip).toString('base64') }],
      });
      if (!r.ok) throw new Error(r.error.message);
      const preview = r.value as ImportPreview;
      expect(preview.ok).toBe(false);
      expect(preview.errors).toEqual([
        { file: 'feeder.zip', line: 0, message: 'the zip would unpack to 600 MB; at most 512 MB can be imported' },
      ]);
    } finally {
      backend.close();
    }
  });
});
