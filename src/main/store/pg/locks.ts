// PostgreSQL advisory locks PaySync takes, as two int4 keys: a namespace of its own, so that another
// program's locks on the same server never meet ours, and what is locked (docs/team-mode.md B4).
export const ADVISORY_NAMESPACE = 0x50_53_44_4b // 'PSDK'

/** Migrating the schema: one desktop at a time, the others wait and find it done. */
export const MIGRATE_LOCK = 1
