/**
 * Per-period results as blobs: a Float64Array is stored as its raw little-endian bytes (every
 * platform Electron ships on is little-endian; `assertLittleEndian` guards the assumption), so a
 * 10,000-bus × 24-period series is one 1.9 MB row rather than 240,000 rows.
 */

const littleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

export function assertLittleEndian(): void {
  if (!littleEndian) throw new Error('Tessera project files store little-endian doubles; this platform is big-endian');
}

export function float64ToBlob(data: Float64Array): Buffer {
  assertLittleEndian();
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Copy out of the driver's buffer: it may not be 8-byte aligned, and it may be reused. */
export function blobToFloat64(blob: Uint8Array): Float64Array {
  assertLittleEndian();
  if (blob.byteLength % 8 !== 0)
    throw new Error(`series blob of ${blob.byteLength} bytes is not a whole number of doubles`);
  const out = new Float64Array(blob.byteLength / 8);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
