/**
 * The one seeded PRNG for synthetic data (plates, scenes, registry populations): mulberry32. Small, fast,
 * good enough for fixtures, and identical on every platform. Tests depend on its exact outputs: changing it
 * changes every seeded population and plate.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
