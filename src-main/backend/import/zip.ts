/**
 * Reading a zip of feeder files without letting it blow up: the entry count and each entry's
 * declared size are checked from the central directory before anything is inflated, and the
 * bytes actually inflated are counted as they stream out (a zip can lie about sizes), stopping
 * at the first entry or total over its cap — a 4 MB zip bomb never becomes gigabytes.
 */
import { Unzip, UnzipInflate, unzipSync, type UnzipFile } from 'fflate';

export interface ZipLimits {
  /** Most entries (files and folders) in one archive. */
  readonly maxEntries: number;
  /** Largest unpacked entry, bytes. */
  readonly maxEntryBytes: number;
  /** Largest unpacked total, bytes. */
  readonly maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 5000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
};

/** A zip that was refused or could not be read: the message says which and why. */
export class ZipRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipRefused';
  }
}

const MB = 1024 * 1024;
function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}

/** Feed the archive in slices so the inflated bytes between two checks stay bounded. */
const SLICE = 64 * 1024;

/** Unpack `bytes` into entry name → contents, within `limits`; throws ZipRefused. */
export function unzipWithLimits(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  // 1. The central directory: how many entries and how big they say they are (nothing inflated).
  let declaredCount = 0;
  let declaredTotal = 0;
  let tooBig: { name: string; size: number } | null = null;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        declaredCount++;
        declaredTotal += f.originalSize;
        if (f.originalSize > limits.maxEntryBytes && !tooBig) tooBig = { name: f.name, size: f.originalSize };
        return false;
      },
    });
  } catch (err) {
    throw new ZipRefused(`not a readable zip archive (${(err as Error).message})`);
  }
  if (declaredCount > limits.maxEntries)
    throw new ZipRefused(`the zip holds ${declaredCount} entries; at most ${limits.maxEntries} can be imported`);
  const big = tooBig as { name: string; size: number } | null;
  if (big)
    throw new ZipRefused(
      `${big.name} would unpack to ${mb(big.size)}; one file may be at most ${mb(limits.maxEntryBytes)}`,
    );
  if (declaredTotal > limits.maxTotalBytes)
    throw new ZipRefused(
      `the zip would unpack to ${mb(declaredTotal)}; at most ${mb(limits.maxTotalBytes)} can be imported`,
    );

  // 2. Inflate, counting the real bytes (the sizes above may be lies).
  const out = new Map<string, Uint8Array>();
  let total = 0;
  let count = 0;
  let refusal: string | null = null;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file: UnzipFile) => {
    if (refusal) return;
    if (++count > limits.maxEntries) {
      refusal = `the zip holds more than ${limits.maxEntries} entries; at most ${limits.maxEntries} can be imported`;
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (refusal) return;
      if (err) {
        refusal = `${file.name} could not be unpacked (${err.message})`;
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (size > limits.maxEntryBytes) {
        refusal = `${file.name} unpacks to more than ${mb(limits.maxEntryBytes)} (its header said ${mb(file.originalSize ?? 0)}); one file may be at most ${mb(limits.maxEntryBytes)}`;
        file.terminate();
        return;
      }
      if (total > limits.maxTotalBytes) {
        refusal = `the zip unpacks to more than ${mb(limits.maxTotalBytes)}; at most ${mb(limits.maxTotalBytes)} can be imported`;
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) out.set(file.name, concat(chunks, size));
    };
    try {
      file.start();
    } catch (err) {
      refusal = `${file.name} uses a compression this version cannot read (${(err as Error).message})`;
    }
  };
  try {
    for (let at = 0; at < bytes.length && !refusal; at += SLICE) {
      unzip.push(bytes.subarray(at, Math.min(bytes.length, at + SLICE)), at + SLICE >= bytes.length);
    }
  } catch (err) {
    if (!refusal) refusal = `not a readable zip archive (${(err as Error).message})`;
  }
  if (refusal) throw new ZipRefused(refusal);
  return out;
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}
