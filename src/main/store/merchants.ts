import type { Channel, MerchantMode } from '../../shared/domain'
import type { MerchantView } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import { isSecretField, SECRET_FIELDS, shownSettings } from '../../shared/profiles'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import { anchorDigest } from './anchors'
import type { Db } from './connection'
import type { SecretBox } from './keyring'
import { all, both, one, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

export interface MerchantRow {
  id: number
  name: string
  channel: Channel
  mode: MerchantMode
  endpoint: string
  settings: string
  secrets: Buffer | null
  secret_names: string
  /**
   * The digest of the trust anchors the secrets were sealed for (store/anchors.ts). A blob sealed
   * since carries its own, which is the one that counts; this one binds a blob sealed before
   * (migration 6) until main seals it again.
   */
  secrets_anchor: string | null
  enabled: number
  removed_at: number | null
  last_ok_at: number | null
  last_error: string | null
  last_error_code: string | null
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
  /** Sealed with sealProfileSecrets for this very channel, endpoint and settings. */
  secrets: Buffer | null
  /** The names sealed in `secrets`: an optional secret (appAuthToken) may be missing. */
  secretNames: string[]
  enabled: boolean
}

/** What a profile's secrets are bound to: its channel, endpoint and public settings (shared/anchors.ts). */
type Anchored = Pick<MerchantWrite, 'channel' | 'endpoint'> & { settings: Readonly<Record<string, unknown>> }

const anchorOf = (m: Anchored) => anchorDigest(m.channel, m.endpoint, m.settings)

/** Seals a profile's secrets bound to its trust anchors, for insertMerchant and updateMerchant. */
export function sealProfileSecrets(box: SecretBox, m: Anchored, secrets: Record<string, string>): Buffer {
  return box.seal(secrets, anchorOf(m))
}

export function merchantView(row: MerchantRow): MerchantView {
  const stored = JSON.parse(row.settings) as Record<string, string>
  const sealed = JSON.parse(row.secret_names) as string[]
  const names = new Set<string>([...SECRET_FIELDS[row.channel], ...sealed])
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    mode: row.mode,
    endpoint: row.endpoint,
    settings: shownSettings(row.channel, stored),
    // A secret still in the clear settings of an older profile is set too: main seals it on next use.
    secrets: Object.fromEntries(
      [...names].map((n) => [n, row.secrets !== null && (sealed.includes(n) || stored[n] !== undefined)]),
    ),
    enabled: row.enabled === 1,
    lastOkAt: isoOrNull(row.last_ok_at),
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    clockSkewMs: row.clock_skew_ms,
    lastLatencyMs: row.last_latency_ms,
    createdAt: toIsoBeijing(row.created_at),
    updatedAt: toIsoBeijing(row.updated_at),
  }
}

/** The merchants not removed, by name in code-point order on both stores (SQLite's own order). */
export function* activeMerchants(x: Exec): Q<MerchantRow[]> {
  const order = x.dialect === 'pg' ? 'name COLLATE "C"' : 'name'
  return yield* all<MerchantRow>(x, `SELECT * FROM merchants WHERE removed_at IS NULL ORDER BY ${order}`)
}

/** The profiles not removed, on either store: the merchants list, and what a team import resolves its rows' merchants from. */
export const liveMerchantsOn = both(activeMerchants)

export const listMerchants = (db: Db): MerchantRow[] => liveMerchantsOn.sync(sqliteExec(db))

/** What a profile's adapter is made from, as far as a change of it shows: every write moves updated_at. */
export type MerchantVersion = Pick<MerchantRow, 'updated_at' | 'enabled' | 'removed_at'>

/** The version as further columns of a read joined to the merchant as `m` (engine/trade.ts). */
export const MERCHANT_VERSION_COLUMNS =
  ', m.updated_at AS merchant_updated_at, m.enabled AS merchant_enabled, m.removed_at AS merchant_removed_at'

export interface MerchantVersionColumns {
  merchant_updated_at: MerchantRow['updated_at']
  merchant_enabled: MerchantRow['enabled']
  merchant_removed_at: MerchantRow['removed_at']
}

/** A row read with MERCHANT_VERSION_COLUMNS, as the row alone and the version. */
export function splitMerchantVersion<R extends object>(
  read: R & MerchantVersionColumns,
): { row: R; merchant: MerchantVersion } {
  const { merchant_updated_at, merchant_enabled, merchant_removed_at, ...row } = read
  return {
    row: row as unknown as R,
    merchant: { updated_at: merchant_updated_at, enabled: merchant_enabled, removed_at: merchant_removed_at },
  }
}

export function* merchantById(x: Exec, id: number): Q<MerchantRow | undefined> {
  return yield* one<MerchantRow>(x, 'SELECT * FROM merchants WHERE id = ?', [id])
}

const merchantByIdBoth = both(merchantById)

export const getMerchant = (db: Db, id: number): MerchantRow | undefined =>
  merchantByIdBoth.sync(sqliteExec(db), id)

export function* merchantNamed(x: Exec, name: string, withRemoved = false): Q<MerchantRow | undefined> {
  return yield* one<MerchantRow>(
    x,
    withRemoved
      ? 'SELECT * FROM merchants WHERE name = ?'
      : 'SELECT * FROM merchants WHERE name = ? AND removed_at IS NULL',
    [name],
  )
}

const merchantNamedBoth = both(merchantNamed)

export const findMerchantByName = (db: Db, name: string, withRemoved = false): MerchantRow | undefined =>
  merchantNamedBoth.sync(sqliteExec(db), name, withRemoved)

/** A write's values of the profile's columns from `channel` to `enabled`, in the order the statements name them. */
const profileValues = (m: MerchantWrite) => [
  m.channel,
  m.mode,
  m.endpoint,
  JSON.stringify(m.settings),
  m.secrets,
  JSON.stringify(m.secretNames),
  m.secrets ? anchorOf(m) : null,
  m.enabled ? 1 : 0,
]

/**
 * A profile's row read to be written in the caller's transaction: on a team database it stays locked
 * until that transaction ends, so two desktops changing one profile take turns; SQLite's transaction
 * is immediate, which does the same for the processes of one computer.
 */
export function* merchantToWrite(x: Exec, id: number): Q<MerchantRow | undefined> {
  const lock = x.dialect === 'pg' ? ' FOR UPDATE' : ''
  return yield* one<MerchantRow>(x, `SELECT * FROM merchants WHERE id = ?${lock}`, [id])
}

/**
 * Inserts a profile, or brings a removed one of the same name back so its history stays attached: its
 * id, or null when a live profile has that name. Two desktops adding one name at once are decided by
 * the name's unique index, not by what each read before: the second insert waits for the first and
 * then does nothing, and the second revival finds the row no longer removed (docs/team-mode.md B8.17).
 */
export function* insertMerchantIn(x: Exec, m: MerchantWrite, now: number): Q<number | null> {
  const named = yield* merchantNamed(x, m.name, true)
  if (named) {
    if (named.removed_at === null) return null
    const revived = yield* run(
      x,
      `UPDATE merchants SET channel = ?, mode = ?, endpoint = ?, settings = ?, secrets = ?, secret_names = ?,
         secrets_anchor = ?, enabled = ?, removed_at = NULL, last_ok_at = NULL, last_error = NULL,
         last_error_code = NULL, clock_skew_ms = NULL, last_latency_ms = NULL, updated_at = ?
       WHERE id = ? AND removed_at IS NOT NULL`,
      [...profileValues(m), now, named.id],
    )
    return revived ? named.id : null
  }
  const added = yield* one<{ id: number }>(
    x,
    `INSERT INTO merchants (channel, mode, endpoint, settings, secrets, secret_names, secrets_anchor, enabled,
       name, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [...profileValues(m), m.name, now, now],
  )
  return added ? Number(added.id) : null
}

const insertMerchantBoth = both(insertMerchantIn)

/** insertMerchantIn on the desktop's file, for seeds and benches: a name in use is refused. */
export function insertMerchant(db: Db, m: MerchantWrite, now = Date.now()): number {
  const id = insertMerchantBoth.sync(sqliteExec(db), m, now)
  if (id === null) throw AppError.say('conflict', 'merchant.exists', { name: m.name })
  return id
}

/** Rewrites a live profile: whether it was (a removed one is not brought back this way). */
export function* updateMerchantIn(x: Exec, id: number, m: MerchantWrite, now: number): Q<boolean> {
  const changed = yield* run(
    x,
    `UPDATE merchants SET channel = ?, mode = ?, endpoint = ?, settings = ?, secrets = ?, secret_names = ?,
       secrets_anchor = ?, enabled = ?, name = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL`,
    [...profileValues(m), m.name, now, id],
  )
  return changed > 0
}

/**
 * Whether `err` is the merchants' unique name refusing a write: a rename onto a name another
 * profile holds, removed ones included (their history keeps the name), on either store.
 */
export function nameTaken(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

/**
 * Removing forgets the secrets at once but keeps the row, so orders and records keep their merchant.
 * That includes a secret an older profile still keeps in its public settings. `row` is the profile as
 * read in the caller's transaction (merchantToWrite).
 */
export function* removeMerchantIn(x: Exec, row: MerchantRow, now: number): Q<boolean> {
  const settings = shownSettings(row.channel, JSON.parse(row.settings) as Record<string, string>)
  const changed = yield* run(
    x,
    `UPDATE merchants SET settings = ?, secrets = NULL, secret_names = '[]', secrets_anchor = NULL, enabled = 0,
       removed_at = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL`,
    [JSON.stringify(settings), now, now, row.id],
  )
  return changed > 0
}

/**
 * The secrets of a profile, refused when they were sealed for other trust anchors than the profile
 * names now (an endpoint, id or gateway key changed past the service: an older build, a hand edit,
 * a restored backup). The anchors sealed in the blob count; a blob sealed before binding has the
 * ones migration 6 stored beside it.
 */
function openBoundSecrets(
  row: MerchantRow,
  stored: Record<string, string>,
  box: SecretBox,
): { secrets: Record<string, string>; bound: boolean } {
  if (!row.secrets) return { secrets: {}, bound: true }
  const { secrets, anchor } = box.openBound(row.secrets)
  if ((anchor ?? row.secrets_anchor) !== anchorOf({ ...row, settings: stored }))
    throw AppError.say('secrets_locked', 'merchant.secretsUnbound', { name: row.name })
  return { secrets, bound: anchor !== null }
}

/**
 * A profile's two halves as main uses them, opened but not written: a secret that an older profile
 * keeps in its public settings (appAuthToken, before it became a secret) is taken from there, unless
 * one has been sealed since. Secrets sealed for other trust anchors are refused (openBoundSecrets).
 */
export function readMerchantSecrets(
  row: MerchantRow,
  box: SecretBox,
): { settings: Record<string, string>; secrets: Record<string, string> } {
  return readSecrets(row, box).opened
}

function readSecrets(row: MerchantRow, box: SecretBox) {
  const stored = JSON.parse(row.settings) as Record<string, string>
  const settings = shownSettings(row.channel, stored)
  // Bound to the anchors as shown: a token still in the clear settings is no anchor.
  const { secrets: sealed, bound } = openBoundSecrets(row, settings, box)
  const clear = Object.entries(stored).filter(([k]) => isSecretField(row.channel, k))
  return {
    opened: { settings, secrets: { ...Object.fromEntries(clear), ...sealed } },
    /** Whether the row must be written again: a clear secret to seal, or a blob to bind. */
    stale: row.secrets !== null && (clear.length > 0 || !bound),
  }
}

/**
 * Opens a profile's secrets for main's own use, sealing on the way any secret its public settings
 * still hold in the clear, and sealing the anchors into a blob sealed before binding. A migration
 * cannot do either (sealing needs the data key, which only an unlocked process has), and waiting for
 * the next save could leave the token readable in the file for good; so it happens the first time
 * a process opens the secrets for an adapter (a test, a sync), if a save has not done it first. The
 * write only lands if the row is still as it was read, so a save racing it from another process
 * wins; if it cannot be written (a read-only store, a busy file, a team database role without
 * UPDATE) nothing is lost: joinProfile takes the secret from either half, no answer shows it, and
 * the next opening tries again. On a team database it is the same compare-and-set, one statement
 * (docs/team-mode.md B8.7).
 */
export function* openMerchantSecretsIn(
  x: Exec,
  row: MerchantRow,
  box: SecretBox,
  writable = true,
): Q<{ settings: Record<string, string>; secrets: Record<string, string> }> {
  const { opened, stale } = readSecrets(row, box)
  if (!stale || !writable) return opened
  try {
    yield* run(
      x,
      `UPDATE merchants SET settings = ?, secrets = ?, secret_names = ?, secrets_anchor = ?
         WHERE id = ? AND settings = ? AND secrets = ?`,
      [
        JSON.stringify(opened.settings),
        sealProfileSecrets(box, { ...row, settings: opened.settings }, opened.secrets),
        JSON.stringify(Object.keys(opened.secrets)),
        anchorOf({ ...row, settings: opened.settings }),
        row.id,
        row.settings,
        row.secrets,
      ],
    )
  } catch {
    // Left for the next opening; see above.
  }
  return opened
}

const openMerchantSecretsBoth = both(openMerchantSecretsIn)

export const openMerchantSecrets = (
  db: Db,
  row: MerchantRow,
  box: SecretBox,
): { settings: Record<string, string>; secrets: Record<string, string> } =>
  openMerchantSecretsBoth.sync(sqliteExec(db), row, box, !db.readonly)

/**
 * `latencyMs` null says the last call had no round trip (nothing was sent: the adapter could not be
 * made, or the profile lacks what the call needs), and the row shows none rather than a stale or a
 * zero figure; left out, the last latency stays.
 */
export interface MerchantHealth {
  ok: boolean
  error?: string | null
  /** The error's code, for the window to say in its language (shared/sync-errors.ts). */
  errorCode?: string | null
  clockSkewMs?: number | null
  latencyMs?: number | null
}

export const recordMerchantHealthOn = both(function* (
  x: Exec,
  id: number,
  health: MerchantHealth,
  now: number,
): Q<void> {
  yield* send(
    x,
    `UPDATE merchants SET last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END, last_error = ?,
       last_error_code = ?, clock_skew_ms = COALESCE(?, clock_skew_ms),
       last_latency_ms = CASE WHEN ? THEN ? ELSE last_latency_ms END WHERE id = ?`,
    [
      health.ok ? 1 : 0,
      now,
      health.ok ? null : (health.error ?? null),
      health.ok ? null : (health.errorCode ?? null),
      health.clockSkewMs ?? null,
      health.latencyMs !== undefined ? 1 : 0,
      health.latencyMs ?? null,
      id,
    ],
  )
})

/** Switches a live profile on or off: whether it was. */
export function* setMerchantEnabledIn(x: Exec, id: number, enabled: boolean, now: number): Q<boolean> {
  const changed = yield* run(
    x,
    'UPDATE merchants SET enabled = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL',
    [enabled ? 1 : 0, now, id],
  )
  return changed > 0
}
