import type { Channel, MerchantMode, MerchantView } from '../../shared/domain'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'

export interface MerchantRow {
  id: number
  name: string
  channel: Channel
  mode: MerchantMode
  endpoint: string
  settings: string
  secrets: Buffer | null
  secret_names: string
  enabled: number
  removed_at: number | null
  last_ok_at: number | null
  last_error: string | null
  clock_skew_ms: number | null
  last_latency_ms: number | null
  created_at: number
  updated_at: number
}

export interface MerchantWrite {
  name: string
  channel: Channel
  mode: MerchantMode
  endpoint: string
  settings: Record<string, string>
  secrets: Buffer | null
  secretNames: string[]
  enabled: boolean
}

export function merchantView(row: MerchantRow): MerchantView {
  const names = JSON.parse(row.secret_names) as string[]
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    mode: row.mode,
    endpoint: row.endpoint,
    settings: JSON.parse(row.settings) as Record<string, string>,
    secrets: Object.fromEntries(names.map((n) => [n, row.secrets !== null])),
    enabled: row.enabled === 1,
    lastOkAt: isoOrNull(row.last_ok_at),
    lastError: row.last_error,
    clockSkewMs: row.clock_skew_ms,
    lastLatencyMs: row.last_latency_ms,
    createdAt: toIsoBeijing(row.created_at),
    updatedAt: toIsoBeijing(row.updated_at),
  }
}

export function listMerchants(db: Db): MerchantRow[] {
  return stmt<[], MerchantRow>(db, 'SELECT * FROM merchants WHERE removed_at IS NULL ORDER BY name').all()
}

export function getMerchant(db: Db, id: number): MerchantRow | undefined {
  return stmt<[number], MerchantRow>(db, 'SELECT * FROM merchants WHERE id = ?').get(id)
}

export function findMerchantByName(db: Db, name: string, withRemoved = false): MerchantRow | undefined {
  return stmt<[string], MerchantRow>(
    db,
    withRemoved
      ? 'SELECT * FROM merchants WHERE name = ?'
      : 'SELECT * FROM merchants WHERE name = ? AND removed_at IS NULL',
  ).get(name)
}

/** Inserts a profile, or brings a removed one of the same name back so its history stays attached. */
export function insertMerchant(db: Db, m: MerchantWrite, now = Date.now()): number {
  const removed = findMerchantByName(db, m.name, true)
  if (removed && removed.removed_at !== null) {
    stmt(
      db,
      `UPDATE merchants SET channel = ?, mode = ?, endpoint = ?, settings = ?, secrets = ?, secret_names = ?,
         enabled = ?, removed_at = NULL, last_ok_at = NULL, last_error = NULL, clock_skew_ms = NULL,
         last_latency_ms = NULL, updated_at = ? WHERE id = ?`,
    ).run(
      m.channel,
      m.mode,
      m.endpoint,
      JSON.stringify(m.settings),
      m.secrets,
      JSON.stringify(m.secretNames),
      m.enabled ? 1 : 0,
      now,
      removed.id,
    )
    return removed.id
  }
  const r = stmt(
    db,
    `INSERT INTO merchants (name, channel, mode, endpoint, settings, secrets, secret_names, enabled, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.name,
    m.channel,
    m.mode,
    m.endpoint,
    JSON.stringify(m.settings),
    m.secrets,
    JSON.stringify(m.secretNames),
    m.enabled ? 1 : 0,
    now,
    now,
  )
  return Number(r.lastInsertRowid)
}

export function updateMerchant(db: Db, id: number, m: MerchantWrite, now = Date.now()): void {
  stmt(
    db,
    `UPDATE merchants SET name = ?, channel = ?, mode = ?, endpoint = ?, settings = ?, secrets = ?, secret_names = ?,
       enabled = ?, updated_at = ? WHERE id = ?`,
  ).run(
    m.name,
    m.channel,
    m.mode,
    m.endpoint,
    JSON.stringify(m.settings),
    m.secrets,
    JSON.stringify(m.secretNames),
    m.enabled ? 1 : 0,
    now,
    id,
  )
}

/** Removing forgets the secrets at once but keeps the row, so orders and records keep their merchant. */
export function removeMerchant(db: Db, id: number, now = Date.now()): void {
  stmt(
    db,
    'UPDATE merchants SET secrets = NULL, enabled = 0, removed_at = ?, updated_at = ? WHERE id = ?',
  ).run(now, now, id)
}

export function recordMerchantHealth(
  db: Db,
  id: number,
  health: { ok: boolean; error?: string | null; clockSkewMs?: number | null; latencyMs?: number | null },
  now = Date.now(),
): void {
  stmt(
    db,
    `UPDATE merchants SET last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END, last_error = ?,
       clock_skew_ms = COALESCE(?, clock_skew_ms), last_latency_ms = COALESCE(?, last_latency_ms) WHERE id = ?`,
  ).run(
    health.ok ? 1 : 0,
    now,
    health.ok ? null : (health.error ?? null),
    health.clockSkewMs ?? null,
    health.latencyMs ?? null,
    id,
  )
}

export function setMerchantEnabledFlag(db: Db, id: number, enabled: boolean, now = Date.now()): void {
  stmt(db, 'UPDATE merchants SET enabled = ?, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, now, id)
}
