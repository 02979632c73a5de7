import crypto from 'node:crypto'
import fs from 'node:fs'
import type { Db } from './connection'
import { stmt } from './connection'

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

const VERSION = 1

function seal(key: Buffer, plain: Buffer): Buffer {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
}

function open(key: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error('unknown sealed format')
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13))
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

function createKeyFile(file: string): Buffer {
  const key = crypto.randomBytes(32)
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
  return key
}

interface KeyringRow {
  scheme: KeyScheme
  wrapped: Buffer
  params: string
}

/** Seals and opens merchant secrets with the unlocked data key. */
export class SecretBox {
  /** Only the keyring module wraps this key; nothing else reads it. */
  constructor(readonly dataKey: Buffer) {}

  seal(secrets: Record<string, string>): Buffer {
    return seal(this.dataKey, Buffer.from(JSON.stringify(secrets), 'utf8'))
  }

  open(sealed: Buffer): Record<string, string> {
    try {
      return JSON.parse(open(this.dataKey, sealed).toString('utf8')) as Record<string, string>
    } catch {
      throw new SecretsLockedError('a merchant secret could not be decrypted; enter it again in the profile')
    }
  }
}

/**
 * Unlocks the data key with whatever the caller can offer, creating it (and the key file) on first
 * use. A passphrase or safeStorage offered alongside also gets a wrap of its own, so the next run
 * can use either.
 */
export async function unlockSecrets(db: Db, options: UnlockOptions): Promise<SecretBox> {
  const rows = stmt<[], KeyringRow>(db, 'SELECT scheme, wrapped, params FROM keyring').all()
  let dataKey: Buffer | null = null
  const failures: string[] = []

  for (const row of rows) {
    try {
      if (row.scheme === 'keyfile' && options.keyFile) {
        const kek = readKeyFile(options.keyFile)
        if (kek) dataKey = open(kek, row.wrapped)
        else failures.push(`the key file ${options.keyFile} is missing`)
      } else if (row.scheme === 'passphrase' && options.passphrase !== undefined) {
        const { salt } = JSON.parse(row.params) as { salt: string }
        dataKey = open(scryptKey(options.passphrase, Buffer.from(salt, 'base64')), row.wrapped)
      } else if (row.scheme === 'safestorage' && options.safeStorage) {
        dataKey = Buffer.from(await options.safeStorage.unwrap(row.wrapped))
      }
    } catch (err) {
      if (err instanceof SecretsLockedError) throw err
      failures.push(
        row.scheme === 'passphrase' ? 'the passphrase is wrong' : `the ${row.scheme} key does not fit`,
      )
    }
    if (dataKey) break
  }

  if (!dataKey) {
    if (rows.length > 0) {
      const schemes = rows.map((r) => r.scheme).join(', ')
      throw new SecretsLockedError(
        `merchant secrets are locked (protected by: ${schemes})` +
          (failures.length ? `: ${failures.join('; ')}` : '') +
          '. Give the key file beside the database, set PAYSYNC_PASSPHRASE, or open the desktop app',
      )
    }
    dataKey = crypto.randomBytes(32)
  }

  const have = new Set(rows.map((r) => r.scheme))
  const insert = stmt(
    db,
    'INSERT OR REPLACE INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?)',
  )
  const now = Date.now()
  if (options.passphrase !== undefined && !have.has('passphrase')) {
    const salt = crypto.randomBytes(16)
    insert.run(
      'passphrase',
      seal(scryptKey(options.passphrase, salt), dataKey),
      JSON.stringify({ salt: salt.toString('base64') }),
      now,
    )
  }
  if (options.safeStorage && !have.has('safestorage')) {
    insert.run('safestorage', Buffer.from(await options.safeStorage.wrap(dataKey)), '{}', now)
  }
  // A key file is made only when nothing else protects the key: it is the headless default.
  if (
    options.keyFile &&
    !have.has('keyfile') &&
    rows.length === 0 &&
    options.passphrase === undefined &&
    !options.safeStorage
  ) {
    const kek = readKeyFile(options.keyFile) ?? createKeyFile(options.keyFile)
    insert.run('keyfile', seal(kek, dataKey), '{}', now)
  }
  return new SecretBox(dataKey)
}

/** Adds a key-file wrap to an unlocked keyring, so a cron run can use the database headless. */
export function addKeyFile(db: Db, box: SecretBox, keyFile: string): void {
  const dataKey = box.dataKey
  const kek = readKeyFile(keyFile) ?? createKeyFile(keyFile)
  stmt(db, 'INSERT OR REPLACE INTO keyring (scheme, wrapped, params, created_at) VALUES (?, ?, ?, ?)').run(
    'keyfile',
    seal(kek, dataKey),
    '{}',
    Date.now(),
  )
}

/** The wraps this database holds, by scheme. */
export function keyringSchemes(db: Db): string[] {
  return stmt<[], { scheme: string }>(db, 'SELECT scheme FROM keyring ORDER BY scheme')
    .all()
    .map((r) => r.scheme)
}

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
