// PostgreSQL advisory locks PaySync takes, as two int4 keys: a namespace of its own, so that another
// program's locks on the same server never meet ours, and what is locked (docs/team-mode.md B4).
export const ADVISORY_NAMESPACE = 0x50_53_44_4b // 'PSDK'

/** Migrating the schema: one desktop at a time, the others wait and find it done. */
export const MIGRATE_LOCK = 1

/** A page of an import into the team's orders: one desktop's at a time (docs/team-mode.md B8.11). */
export const IMPORT_LOCK = 2

/**
 * A leader's lock (docs/team-mode.md B8.5): its job's name hashed (FNV-1a, the same on every desktop)
 * into 2^30 to 2^31 - 1, clear of the fixed locks above, which stay below 2^30. Two job names that
 * met in 30 bits would share one leader, never have two.
 */
export function leaderLock(name: string): number {
  let h = 0x811c9dc5
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return (h & 0x3fff_ffff) | 0x4000_0000
}
