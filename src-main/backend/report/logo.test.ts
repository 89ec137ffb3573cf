/**
 * The report logo's checks: type from the bytes, size cap, PNG chunks CRC-checked and rebuilt
 * without text/EXIF chunks or trailing data (the picture still inflates to its scanlines), JPEG
 * segments rebuilt without EXIF/comments with the scan data kept byte for byte, and a clear
 * sentence for anything else. A real JPEG from Chromium is checked end to end in
 * e2e/planner-logo.spec.ts.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, LOGO_MAX_BYTES, sanitizeLogo } from './logo';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** A 2 × 1 RGB PNG (red, blue) with a text chunk, an EXIF chunk and junk after IEND. */
function png(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const scan = Buffer.from([0, 255, 0, 0, 0, 0, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Author\0secret planner', 'latin1')),
    chunk('eXIf', Buffer.from('MM\0*GPS secret', 'latin1')),
    chunk('IDAT', deflateSync(scan)),
    chunk('IEND', new Uint8Array()),
    Buffer.from('<script>trailing secret</script>'),
  ]);
}

const seg = (marker: number, body: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);

/** A JPEG's structure: JFIF, EXIF with a GPS text, a comment, tables, a 3 × 2 frame, a scan with stuffed and restart bytes. */
function jpeg(): { file: Buffer; scanData: Buffer } {
  const scanData = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
  const file = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    seg(0xe1, Buffer.from('Exif\0\0GPS secret', 'latin1')),
    seg(0xfe, Buffer.from('comment secret', 'latin1')),
    seg(0xdb, Buffer.alloc(65, 1)),
    seg(0xc0, Buffer.from([8, 0, 2, 0, 3, 1, 1, 0x11, 0])),
    seg(0xc4, Buffer.alloc(20, 2)),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    scanData,
    Buffer.from([0xff, 0xd9]),
    Buffer.from('trailing secret'),
  ]);
  return { file, scanData };
}

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('report logo', () => {
  it('PNG: size read, text/EXIF chunks and trailing bytes dropped, the image data intact', () => {
    const logo = sanitizeLogo(png());
    expect(logo).toMatchObject({ mime: 'image/png', width: 2, height: 1 });
    expect(text(logo.bytes)).not.toMatch(/secret|tEXt|eXIf/);
    // What is left: signature, IHDR, IDAT, IEND — each with a valid CRC — and the scanline inflates back.
    const b = Buffer.from(logo.bytes);
    const types: string[] = [];
    for (let pos = 8; pos < b.length;) {
      const len = b.readUInt32BE(pos);
      types.push(b.toString('latin1', pos + 4, pos + 8));
      expect(b.readUInt32BE(pos + 8 + len)).toBe(crc32(b, pos + 4, pos + 8 + len));
      if (types.at(-1) === 'IDAT')
        expect([...inflateSync(b.subarray(pos + 8, pos + 8 + len))]).toEqual([0, 255, 0, 0, 0, 0, 255]);
      pos += 12 + len;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  it('JPEG: size from the frame header; EXIF, comment and trailing bytes dropped; tables and scan data kept byte for byte', () => {
    const { file, scanData } = jpeg();
    const logo = sanitizeLogo(file);
    expect(logo).toMatchObject({ mime: 'image/jpeg', width: 3, height: 2 });
    const out = Buffer.from(logo.bytes);
    expect(text(out)).not.toMatch(/secret|Exif/);
    expect(text(out)).toContain('JFIF');
    expect(out.includes(scanData)).toBe(true);
    expect([...out.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(out.length).toBe(file.length - (2 + 2 + 16) - (2 + 2 + 14) - 'trailing secret'.length);
  });

  it('refuses what is not PNG or JPEG, naming what it is', () => {
    expect(() => sanitizeLogo(Buffer.from('GIF89a....'))).toThrow(
      /only PNG and JPEG images can be a logo; this file is a GIF image/,
    );
    expect(() =>
      sanitizeLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')),
    ).toThrow(/an SVG or XML file/);
    expect(() => sanitizeLogo(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toThrow(/a WebP image/);
    expect(() => sanitizeLogo(new Uint8Array())).toThrow(/the file is empty/);
  });

  it('refuses a file over the cap with its size, and corrupt or truncated files with the reason', () => {
    const big = Buffer.concat([png(), Buffer.alloc(LOGO_MAX_BYTES)]);
    expect(() => sanitizeLogo(big)).toThrow(/the file is 1\.0 MB; a logo may be at most 1 MB/);
    const bad = png();
    bad[8 + 12 + 13 + 8 + 3] ^= 0xff; // a byte inside the tEXt chunk's data
    expect(() => sanitizeLogo(bad)).toThrow(/chunk tEXt fails its CRC check/);
    expect(() => sanitizeLogo(png().subarray(0, 60))).toThrow(/the PNG file is truncated/);
    const { file } = jpeg();
    expect(() => sanitizeLogo(file.subarray(0, file.indexOf(Buffer.from([0xff, 0xd9]))))).toThrow(
      /the JPEG file is truncated/,
    );
    // A frame wider than the limit.
    const wide = Buffer.from(jpeg().file);
    const sof = wide.indexOf(Buffer.from([0xff, 0xc0]));
    wide.writeUInt16BE(9000, sof + 7);
    expect(() => sanitizeLogo(wide)).toThrow(/the image is 9000 × 2 pixels; at most 8000 on a side/);
  });
});
