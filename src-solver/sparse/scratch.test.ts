import { afterEach, describe, expect, it } from 'vitest';
import { dropScratch, giveInt32, scratchBuffers, takeInt32 } from './scratch';

describe('scratch pool', () => {
  afterEach(() => dropScratch());

  it('reuses a given buffer (best fit), zero-filled, and hands it to one taker only', () => {
    dropScratch();
    const big = takeInt32(100_000);
    const small = takeInt32(20_000);
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
    const c = takeInt32(50_000); // none free: a new array
    expect(c.buffer).not.toBe(big.buffer);
    expect(c.buffer).not.toBe(small.buffer);
    expect(scratchBuffers()).toBe(0);
  });

  it('keeps no small arrays, no views inside a buffer, and forgets everything on drop', () => {
    dropScratch();
    const whole = new Int32Array(100_000);
    giveInt32(new Int32Array(10), whole.subarray(5));
    expect(scratchBuffers()).toBe(0);
    giveInt32(whole);
    expect(scratchBuffers()).toBe(1);
    dropScratch();
    expect(scratchBuffers()).toBe(0);
    expect(takeInt32(1000).buffer).not.toBe(whole.buffer);
  });
});
