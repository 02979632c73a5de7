// A small seeded PRNG for the fuzzers and the kill loop: every random choice of a run follows from
// one printed seed, so a failure found in CI can be replayed exactly (FUZZ_SEED=..., KILL_SEED=...).

export interface Rng {
  readonly seed: number
  /** Uniform in [0, 1). */
  next(): number
  /** Whole number in [0, n). */
  int(n: number): number
  /** Whole number in [min, max]. */
  range(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/** mulberry32: tiny, fast and good enough to drive test inputs (not for anything secret). */
export function rng(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const r: Rng = {
    seed: seed >>> 0,
    next,
    int: (n) => Math.floor(next() * n),
    range: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  }
  return r
}

/**
 * The seed of a run: the environment variable when set (to replay a failure), else `fallback`. Always
 * printed, so the log of a failed run says how to replay it.
 */
export function seedFrom(envName: string, fallback: number, what: string): number {
  const raw = process.env[envName]
  const seed = raw !== undefined && raw !== '' ? Number(raw) >>> 0 : fallback >>> 0
  console.log(`${what}: seed ${seed} (replay with ${envName}=${seed})`)
  return seed
}
