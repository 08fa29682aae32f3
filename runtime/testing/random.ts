/**
 * A small seeded PRNG (mulberry32) for replayable tests and demos: the same seed gives the same
 * sequence (fault decisions, generated workloads). Not for anything secret.
 */

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number

/**
 * mulberry32: 32-bit state, fast, good enough for fault injection (not for cryptography). Without a
 * seed, a random one.
 */
export function seededRandom(seed: number = Math.floor(Math.random() * 2 ** 32)): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
