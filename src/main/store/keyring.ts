import crypto from 'node:crypto'
import fs from 'node:fs'
import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// Merchant secrets are sealed with one random data key (AES-256-GCM). The data key itself is stored
// only wrapped, once per way of unlocking it: a key file of mode 0600 beside the database, a
// passphrase (scrypt), or the operating system's key store through Electron safeStorage. The desktop
// app and a cron run can then share one database, each unlocking it its own way.

export type KeyScheme = 'keyfile' | 'passphrase' | 'safestorage'

export interface SafeStorageWrapper {
  wrap(plain: Buffer): Promise<Buffer> | Buffer
  unwrap(wrapped: Buffer): Promise<Buffer> | Buffer
}

export interface UnlockOptions {
  /** Path of the key file; created with mode 0600 when this is the first key. */
  keyFile?: string
  passphrase?: string
  safeStorage?: SafeStorageWrapper
}

export class SecretsLockedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretsLockedError'
  }
}

/**
 * The passphrase given is not the one the passphrase wrap was made with, and nothing else offered
 * opened the key: said as one sentence, not as the list of every way of unlocking.
 */
export class WrongPassphraseError extends SecretsLockedError {}

const WRONG_PASSPHRASE = 'the passphrase is wrong'

/** The envelope of every sealed value: a version byte, the IV, the GCM tag, the ciphertext. */
const VERSION = 1
/** The same envelope around merchant secrets bound to their profile's trust anchors. */
const BOUND = 2

function seal(key: Buffer, plain: Buffer, version = VERSION): Buffer {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  // A bound blob's version byte is authenticated too: it cannot be passed off as an unbound one.
  // (Version 1 stays as it always was, so that what it sealed opens.)
  if (version !== VERSION) cipher.setAAD(Buffer.from([version]))
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), body])
}

function open(key: Buffer, sealed: Buffer, versions: readonly number[] = [VERSION]): Buffer {
  if (sealed.length < 29 || !versions.includes(sealed[0]!)) throw new Error('unknown sealed format')
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13))
  if (sealed[0] !== VERSION) decipher.setAAD(sealed.subarray(0, 1))
  decipher.setAuthTag(sealed.subarray(13, 29))
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()])
}

function scryptKey(passphrase: string, salt: Buffer): Buffer {
  return crypto.scryptSync(passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
}

function readKeyFile(file: string): Buffer | null {
  if (!fs.existsSync(file)) return null
  const stat = fs.statSync(file)
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new SecretsLockedError(
      `the key file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
        `restrict it with: chmod 600 ${file}`,
    )
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new SecretsLockedError(`the key file ${file} is damaged (expected 32 bytes)`)
  return key
}

/** How long a key file another process has just created may take to hold its key. */
const KEY_FILE_SETTLE_MS = 2_000

/**
 * The key file's key, the file made now when there is none. Created exclusively: when another
 * process made it first (EEXIST), its key is the one, read back once it has been written (the
 * creator opens the file before it writes the key, so an empty file is waited for, briefly).
 */
async function keyFileKey(file: string): Promise<Buffer> {
  const key = crypto.randomBytes(32)
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const until = Date.now() + KEY_FILE_SETTLE_MS
  for (;;) {
    try {
      const theirs = readKeyFile(file)
      if (theirs) return theirs
    } catch (err) {
      if (Date.now() >= until || fs.statSync(file).size > 0) throw err
    }
    if (Date.now() >= until) throw new SecretsLockedError(`the key file ${file} is missing`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** One wrap of the data key. */
interface KeyringRow {
  scheme: KeyScheme
  wrapped: Buffer
  params: string
}

/** Seals and opens merchant secrets with the unlocked data key. */
export class SecretBox {
  /** Only the keyring module wraps this key; nothing else reads it. */
  constructor(readonly dataKey: Buffer) {}

  /**
   * Seals a profile's secrets bound to the digest of its trust anchors (store/anchors.ts), which is
   * sealed with them. Without one they are bound to nothing, as every secret was sealed before
   * binding (migration 6 binds those beside the blob; main seals them again when it next opens them).
   */
  seal(secrets: Record<string, string>, anchor?: string): Buffer {
    if (anchor === undefined) return seal(this.dataKey, Buffer.from(JSON.stringify(secrets), 'utf8'))
    return seal(this.dataKey, Buffer.from(JSON.stringify({ anchor, secrets }), 'utf8'), BOUND)
  }

  /** The secrets, whatever they are bound to. */
  open(sealed: Buffer): Record<string, string> {
    return this.openBound(sealed).secrets
  }

  /** The secrets and the anchor digest they were sealed for: null for a blob sealed before binding. */
  openBound(sealed: Buffer): { secrets: Record<string, string>; anchor: string | null } {
    try {
      const plain = JSON.parse(open(this.dataKey, sealed, [VERSION, BOUND]).toString('utf8')) as unknown
      if (sealed[0] === BOUND) return plain as { secrets: Record<string, string>; anchor: string }
      return { secrets: plain as Record<string, string>, anchor: null }
    } catch {
      throw new SecretsLockedError('a merchant secret could not be decrypted; enter it again in the profile')
    }
  }
}

/** The wraps of the data key, on either store (a team database's keyring is the team key, B8.7). */
function* keyringRows(x: Exec): Q<KeyringRow[]> {
  return yield* all<KeyringRow>(x, 'SELECT scheme, wrapped, params FROM keyring')
}

const keyringRowsBoth = both(keyringRows)

const readKeyring = (db: Db): KeyringRow[] => keyringRowsBoth.sync(sqliteExec(db))

/** The data key from the first wrap the caller can open; null when none (failures say why). */
async function unwrap(
  rows: KeyringRow[],
  options: UnlockOptions,
  failures: string[],
): Promise<Buffer | null> {
  for (const row of rows) {
    try {
      if (row.scheme === 'keyfile' && options.keyFile) {
        const kek = readKeyFile(options.keyFile)
        if (kek) return open(kek, row.wrapped)
        failures.push(`the key file ${options.keyFile} is missing`)
      } else if (row.scheme === 'passphrase' && options.passphrase !== undefined) {
        const { salt } = JSON.parse(row.params) as { salt: string }
        return open(scryptKey(options.passphrase, Buffer.from(salt, 'base64')), row.wrapped)
      } else if (row.scheme === 'safestorage' && options.safeStorage) {
        return Buffer.from(await options.safeStorage.unwrap(row.wrapped))
      }
    } catch (err) {
      if (err instanceof SecretsLockedError) throw err
      failures.push(row.scheme === 'passphrase' ? WRONG_PASSPHRASE : `the ${row.scheme} key does not fit`)
    }
  }
  return null
}

/** The data key under a passphrase, with a salt of its own. */
function passphraseWrap(dataKey: Buffer, passphrase: string): KeyringRow {
  const salt = crypto.randomBytes(16)
  return {
    scheme: 'passphrase',
    wrapped: seal(scryptKey(passphrase, salt), dataKey),
    params: JSON.stringify({ salt: salt.toString('base64') }),
  }
}

/** The wraps of `dataKey` the caller's ways of unlocking add, beyond the schemes already there. */
async function wrapsFor(
  dataKey: Buffer,
  options: UnlockOptions,
  have: ReadonlySet<KeyScheme>,
  creating: boolean,
): Promise<KeyringRow[]> {
  const wraps: KeyringRow[] = []
  if (options.passphrase !== undefined && !have.has('passphrase'))
    wraps.push(passphraseWrap(dataKey, options.passphrase))
  if (options.safeStorage && !have.has('safestorage')) {
    wraps.push({
      scheme: 'safestorage',
      wrapped: Buffer.from(await options.safeStorage.wrap(dataKey)),
      params: '{}',
    })
  }
  // A key file is made only when nothing else protects the key: it is the headless default.
  if (creating && options.keyFile && options.passphrase === undefined && !options.safeStorage) {
    wraps.push({ scheme: 'keyfile', wrapped: seal(await keyFileKey(options.keyFile), dataKey), params: '{}' })
  }
  return wraps
}

function isConstraint(err: unknown): boolean {
  return String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT')
}

/**
 * Creates the keyring with a new data key, unless another process has meanwhile: everything slow
 * (scrypt, the key store, the key file) is done first, then one immediate transaction reads the
 * keyring again and inserts only into an empty one. Plain INSERT: should a row be there after all,
 * the scheme's primary key refuses it rather than replacing the winner's wrap. Null when another
 * creator won; the caller then unwraps its key.
 */
async function createKeyring(db: Db, options: UnlockOptions, now: number): Promise<Buffer | null> {
  const dataKey = crypto.randomBytes(32)
  const wraps = await wrapsFor(dataKey, options, new Set(), true)
  const insert = stmt(db, 'INSERT INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?)')
  try {
    const won = db
      .transaction(() => {
        if (readKeyring(db).length > 0) return false
        for (const w of wraps) insert.run(w.scheme, w.wrapped, w.params, now)
        return true
      })
      .immediate()
    return won ? dataKey : null
  } catch (err) {
    if (isConstraint(err)) return null
    throw err
  }
}

/**
 * The data key from the first wrap the caller's ways open; a wrong passphrase is that one sentence,
 * anything else locked lists the wraps, what failed, and `whatToDo`.
 */
async function openDataKey(rows: KeyringRow[], options: UnlockOptions, whatToDo: string): Promise<Buffer> {
  const failures: string[] = []
  const dataKey = await unwrap(rows, options, failures)
  if (dataKey) return dataKey
  if (failures.includes(WRONG_PASSPHRASE)) throw new WrongPassphraseError(WRONG_PASSPHRASE)
  const schemes = rows.map((r) => r.scheme).join(', ')
  throw new SecretsLockedError(
    `merchant secrets are locked (protected by: ${schemes})` +
      (failures.length ? `: ${failures.join('; ')}` : '') +
      `. ${whatToDo}`,
  )
}

/**
 * Unlocks the data key with whatever the caller can offer, creating it (and the key file) on first
 * use. A passphrase or safeStorage offered alongside also gets a wrap of its own, so the next run
 * can use either.
 */
export async function unlockSecrets(db: Db, options: UnlockOptions): Promise<SecretBox> {
  const now = Date.now()
  let rows = readKeyring(db)
  if (rows.length === 0) {
    const created = await createKeyring(db, options, now)
    if (created) return new SecretBox(created)
    // Another process created it between our first look and our transaction: use its key.
    rows = readKeyring(db)
  }

  const dataKey = await openDataKey(
    rows,
    options,
    'Give the key file beside the database, set PAYSYNC_PASSPHRASE, or open the desktop app',
  )

  // The other ways offered get a wrap of the same key; one another process added meanwhile stays.
  const wraps = await wrapsFor(dataKey, options, new Set(rows.map((r) => r.scheme)), false)
  const add = stmt(
    db,
    'INSERT INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (scheme) DO NOTHING',
  )
  for (const w of wraps) add.run(w.scheme, w.wrapped, w.params, now)
  return new SecretBox(dataKey)
}

/**
 * Opens the data key of either store, a team database's included, without writing: nothing is
 * created and no wrap added, since a team's keyring changes only through the team passphrase and
 * the copy (docs/team-mode.md B8.7). The team's two ways only: the operating system's key store is
 * one computer's, and its wrap opens nothing on another.
 */
export async function unlockSecretsIn(
  x: Exec,
  options: Pick<UnlockOptions, 'passphrase' | 'keyFile'>,
): Promise<SecretBox> {
  const rows = await keyringRowsBoth.async(x)
  const team =
    'Set PAYSYNC_PASSPHRASE to the team passphrase, or PAYSYNC_KEY_FILE to a copy of the team key file'
  if (rows.length === 0)
    throw new SecretsLockedError(
      `these books hold no wrap of the key that seals their merchant secrets. ${team}`,
    )
  return new SecretBox(
    await openDataKey(rows, { passphrase: options.passphrase, keyFile: options.keyFile }, team),
  )
}

/** Adds a key-file wrap to an unlocked keyring, so a cron run can use the database headless. */
export async function addKeyFile(db: Db, box: SecretBox, keyFile: string): Promise<void> {
  const dataKey = box.dataKey
  const kek = await keyFileKey(keyFile)
  stmt(db, 'INSERT OR REPLACE INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?)').run(
    'keyfile',
    seal(kek, dataKey),
    '{}',
    Date.now(),
  )
}

/** The wraps either store's books hold, by scheme. */
export const keyringSchemesOn = both(function* (x: Exec): Q<string[]> {
  const rows = yield* all<{ scheme: string }>(x, 'SELECT scheme FROM keyring ORDER BY scheme')
  return rows.map((r) => r.scheme)
})

export const keyringSchemes = (db: Db): string[] => keyringSchemesOn.sync(sqliteExec(db))

/**
 * Drops one way of unlocking, when another remains: the app's basic_text wrap once the secrets are
 * under a passphrase.
 */
export function removeWrap(db: Db, scheme: KeyScheme): void {
  const schemes = keyringSchemes(db)
  if (schemes.includes(scheme) && schemes.length > 1)
    stmt(db, 'DELETE FROM keyring WHERE scheme = ?').run(scheme)
}

/**
 * Drops the key-file wrap, so only the app (or the passphrase) opens the secrets. Refused when it is
 * the only wrap: the data key would then be lost with every secret it protects.
 */
export function removeKeyFileWrap(db: Db): boolean {
  const schemes = keyringSchemes(db)
  if (!schemes.includes('keyfile')) return true
  if (schemes.length === 1) return false
  stmt(db, "DELETE FROM keyring WHERE scheme = 'keyfile'").run()
  return true
}

/**
 * The team passphrase (docs/team-mode.md B8.7): the passphrase wrap of the unlocked data key, added,
 * or put in place of the one there with a new salt. The data key stays, so no secret is sealed
 * again; the old passphrase stops opening them the moment this commits.
 */
export const setPassphraseWrapOn = both(function* (x: Exec, box: SecretBox, passphrase: string): Q<void> {
  const w = passphraseWrap(box.dataKey, passphrase)
  yield* run(
    x,
    `INSERT INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scheme) DO UPDATE SET wrapped = excluded.wrapped, params = excluded.params,
       created_at = excluded.created_at`,
    [w.scheme, w.wrapped, w.params, Date.now()],
  )
})

/** Whether this passphrase opens the passphrase wrap of either store's books; false when there is none. */
export async function passphraseOpensOn(x: Exec, passphrase: string): Promise<boolean> {
  const rows = (await keyringRowsBoth.async(x)).filter((r) => r.scheme === 'passphrase')
  return rows.length > 0 && (await unwrap(rows, { passphrase }, [])) !== null
}

export const passphraseOpens = (db: Db, p: string): Promise<boolean> => passphraseOpensOn(sqliteExec(db), p)

/**
 * Whether the sealed merchant secrets open on another computer than this one: none are sealed, or
 * the data key has a passphrase or key-file wrap. The operating system's key store is this
 * computer's alone, and without any wrap nobody opens them.
 */
export function secretsTravel(db: Db): boolean {
  const sealed = stmt<[], { n: number }>(
    db,
    'SELECT count(*) AS n FROM (SELECT 1 FROM merchants WHERE secrets IS NOT NULL LIMIT 1)',
  ).get()!.n
  if (sealed === 0) return true
  return keyringSchemes(db).some((s) => s === 'passphrase' || s === 'keyfile')
}
