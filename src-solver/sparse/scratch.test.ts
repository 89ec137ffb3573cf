import { describe, expect, it } from 'vitest';
import { closeScratch, giveInt32, openScratch, scratchBuffers, takeInt32 } from './scratch';

describe('scratch pool', () => {
  it('reuses a given buffer (best fit), zero-filled, and hands it to one taker only', () => {
    openScratch();
    const small = takeInt32(20_000);
    const big = takeInt32(100_000);
    big.fill(7);
    small.fill(9);
    giveInt32(big, small, big); // big twice: kept once
    expect(scratchBuffers()).toBe(2);
    const a = takeInt32(15_000); // best fit: small's buffer
    expect(a.buffer).toBe(small.buffer);
    expect(a.length).toBe(15_000);
    expect(a.every((x) => x === 0)).toBe(true);
    const b = takeInt32(50_000); // the other one
    expect(b.buffer).toBe(big.buffer);
    expect(b.every((x) => x === 0)).toBe(true);
    // none free: a new one, with the largest length asked so far behind it
    const c = takeInt32(30_000);
    expect(c.buffer).not.toBe(big.buffer);
    expect(c.buffer).not.toBe(small.buffer);
    expect(c.length).toBe(30_000);
    expect(c.buffer.byteLength).toBe(100_000 * 4);
    expect(scratchBuffers()).toBe(0);
    closeScratch();
  });

  it('keeps no small arrays and no views inside a buffer; nested scopes share the pool, the outer close forgets it', () => {
    openScratch();
    const whole = new Int32Array(100_000);
    giveInt32(new Int32Array(10), whole.subarray(5));
    expect(scratchBuffers()).toBe(0);
    giveInt32(whole);
    expect(scratchBuffers()).toBe(1);
    openScratch();
    closeScratch(); // inner: the pool stays
    expect(scratchBuffers()).toBe(1);
    closeScratch();
    expect(scratchBuffers()).toBe(0);
  });

  it('outside a scope: plain new arrays, nothing pooled', () => {
    const a = takeInt32(100_000);
    expect(a.buffer.byteLength).toBe(400_000);
    giveInt32(a);
    expect(scratchBuffers()).toBe(0);
    expect(takeInt32(1000).buffer).not.toBe(a.buffer);
  });
});
