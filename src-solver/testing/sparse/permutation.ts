/**
 * A uniformly random permutation of 0 … n−1 (Fisher–Yates, drawing j ∈ [0, i] for i = n−1 … 1),
 * from the caller's seeded generator: the symmetric-permutation tests' random orders.
 */
export function randomPermutation(n: number, rand: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}
