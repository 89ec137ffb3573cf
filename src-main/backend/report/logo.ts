/**
 * The project's logo for the report's title page: a PNG or JPEG file, at most LOGO_MAX_BYTES,
 * checked and sanitized before it is stored. The type is read from the bytes (signature), never
 * from a name or a MIME type the caller gives; the structure is walked and rebuilt with only what
 * draws the picture:
 *   PNG  — every chunk's length and CRC checked; kept: IHDR, PLTE, tRNS, IDAT, IEND and the colour
 *          chunks (gAMA, cHRM, sRGB); dropped: text, EXIF, time, animation and any unknown chunk,
 *          and anything after IEND.
 *   JPEG — segments walked; kept: quantisation and Huffman tables, frame and scan headers with
 *          their entropy-coded data, restart interval, JFIF (APP0) and Adobe (APP14) markers;
 *          dropped: EXIF/XMP (APP1, which can carry GPS positions and names), ICC and other APPn,
 *          comments, and anything after EOI.
 * A file that is not PNG or JPEG, truncated, corrupt, or larger than LOGO_MAX_PIXELS on a side is
 * refused with a sentence saying which.
 */
import { ApiFailure } from '../errors';

export const LOGO_MAX_BYTES = 1024 * 1024;
export const LOGO_MAX_PIXELS = 8000;

export interface Logo {
  readonly mime: 'image/png' | 'image/jpeg';
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

const fail = (message: string): never => {
  throw new ApiFailure('invalidArgument', `logo: ${message}`);
};

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG uses it). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_KEEP = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'gAMA', 'cHRM', 'sRGB']);

function what(b: Uint8Array): string {
  const ascii = String.fromCharCode(...b.subarray(0, 16));
  if (ascii.startsWith('GIF8')) return 'a GIF image';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'a WebP image';
  if (ascii.startsWith('BM')) return 'a BMP image';
  if (/^\s*<(\?xml|svg)/i.test(ascii)) return 'an SVG or XML file';
  if (ascii.startsWith('%PDF')) return 'a PDF';
  return 'not an image Tessera reads';
}

function sanitizePng(b: Uint8Array): Logo {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let pos = 8;
  let width = 0;
  let height = 0;
  let first = true;
  let idat = false;
  for (;;) {
    if (pos + 12 > b.length) fail('the PNG file is truncated (no IEND chunk)');
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`the PNG file is corrupt (bad chunk type at byte ${pos})`);
    if (pos + 12 + len > b.length) fail(`the PNG file is truncated (chunk ${type} runs past the end)`);
    if (crc32(b, pos + 4, pos + 8 + len) !== dv.getUint32(pos + 8 + len))
      fail(`the PNG file is corrupt (chunk ${type} fails its CRC check)`);
    if (first) {
      if (type !== 'IHDR' || len !== 13) fail('the PNG file is corrupt (it does not start with its header chunk)');
      width = dv.getUint32(pos + 8);
      height = dv.getUint32(pos + 12);
      first = false;
    }
    if (type === 'IDAT') idat = true;
    if (PNG_KEEP.has(type)) out.push(b.subarray(pos, pos + 12 + len));
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (!idat) fail('the PNG file has no image data');
  return { mime: 'image/png', width, height, bytes: concat(out) };
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function sanitizeJpeg(b: Uint8Array): Logo {
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let pos = 2;
  let width = 0;
  let height = 0;
  let scans = 0;
  for (;;) {
    // Fill bytes (0xFF repeated) may precede a marker.
    while (pos < b.length && b[pos] === 0xff && b[pos + 1] === 0xff) pos++;
    if (pos + 2 > b.length) fail('the JPEG file is truncated (no end-of-image marker)');
    if (b[pos] !== 0xff) fail(`the JPEG file is corrupt (no marker at byte ${pos})`);
    const m = b[pos + 1]!;
    if (m === 0xd9) {
      out.push(b.subarray(pos, pos + 2));
      break;
    }
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01)
      fail(`the JPEG file is corrupt (marker FF${m.toString(16).toUpperCase()} out of place)`);
    if (pos + 4 > b.length) fail('the JPEG file is truncated');
    const len = (b[pos + 2]! << 8) | b[pos + 3]!;
    if (len < 2 || pos + 2 + len > b.length) fail('the JPEG file is truncated (a segment runs past the end)');
    const seg = b.subarray(pos, pos + 2 + len);
    const app = m >= 0xe0 && m <= 0xef;
    const keep =
      m === 0xdb ||
      m === 0xc4 ||
      m === 0xdd ||
      m === 0xda ||
      isSof(m) ||
      (m === 0xe0 && ascii(seg, 4, 5) === 'JFIF\0') ||
      (m === 0xee && ascii(seg, 4, 5) === 'Adobe');
    if (!keep && !app && m !== 0xfe)
      fail(`the JPEG file has a marker Tessera does not know (FF${m.toString(16).toUpperCase()})`);
    if (keep) out.push(seg);
    if (isSof(m)) {
      if (len < 8) fail('the JPEG file is corrupt (short frame header)');
      height = (b[pos + 5]! << 8) | b[pos + 6]!;
      width = (b[pos + 7]! << 8) | b[pos + 8]!;
    }
    pos += 2 + len;
    if (m === 0xda) {
      if (width === 0) fail('the JPEG file is corrupt (image data before the frame header)');
      scans++;
      // Entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a restart.
      const start = pos;
      while (
        pos + 1 < b.length &&
        !(
          b[pos] === 0xff &&
          b[pos + 1] !== 0x00 &&
          !(b[pos + 1]! >= 0xd0 && b[pos + 1]! <= 0xd7) &&
          b[pos + 1] !== 0xff
        )
      )
        pos++;
      if (pos + 1 >= b.length) fail('the JPEG file is truncated (image data without an end)');
      out.push(b.subarray(start, pos));
    }
  }
  if (scans === 0) fail('the JPEG file has no image data');
  return { mime: 'image/jpeg', width, height, bytes: concat(out) };
}

function ascii(b: Uint8Array, start: number, n: number): string {
  return String.fromCharCode(...b.subarray(start, start + n));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** The logo checked and rebuilt without metadata, or an `invalidArgument` failure saying why not. */
export function sanitizeLogo(bytes: Uint8Array): Logo {
  if (bytes.length === 0) fail('the file is empty');
  if (bytes.length > LOGO_MAX_BYTES)
    fail(
      `the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; a logo may be at most ${LOGO_MAX_BYTES / 1024 / 1024} MB (a few hundred pixels wide is plenty for the title page)`,
    );
  let logo: Logo;
  if (PNG_SIGNATURE.every((x, i) => bytes[i] === x)) logo = sanitizePng(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) logo = sanitizeJpeg(bytes);
  else return fail(`only PNG and JPEG images can be a logo; this file is ${what(bytes)}`);
  if (logo.width < 1 || logo.height < 1) fail(`the image has no size (${logo.width} × ${logo.height} pixels)`);
  if (logo.width > LOGO_MAX_PIXELS || logo.height > LOGO_MAX_PIXELS)
    fail(`the image is ${logo.width} × ${logo.height} pixels; at most ${LOGO_MAX_PIXELS} on a side`);
  return logo;
}
