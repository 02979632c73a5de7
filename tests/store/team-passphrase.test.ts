import crypto from 'node:crypto'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Db } from '../../src/main/store/connection'
import {
  keyringSchemes,
  passphraseOpens,
  secretsTravel,
  SecretsLockedError,
  setPassphraseWrapOn,
  unlockSecrets,
  unlockSecretsIn,
  WrongPassphraseError,
  type SafeStorageWrapper,
} from '../../src/main/store/keyring'
import { sqliteExec } from '../../src/main/store/sql/sqlite-exec'
import { tempDir } from '../helpers/world'

// The team passphrase (docs/team-mode.md B8.7) is the passphrase wrap of the books' data key: set
// and changed by wrapping the same key again, so the secrets stay sealed as they are and only the
// way in changes. The OS key store is stood in for by AES under a key only this test holds.

function osKeyStore(): SafeStorageWrapper {
  const key = crypto.randomBytes(32)
  return {
    wrap(plain) {
      const iv = crypto.randomBytes(12)
      const c = crypto.createCipheriv('aes-256-gcm', key, iv)
      return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()])
    },
    unwrap(wrapped) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, 12))
      d.setAuthTag(wrapped.subarray(wrapped.length - 16))
      return Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()])
    },
  }
}

const OLD = 'the first team passphrase'
const NEW = 'the second team passphrase'

const dbs: Db[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) db.close()
})

/** Books of one desktop: secrets under its key store only, one merchant's sealed. */
async function desktopBooks(): Promise<{ db: Db; store: SafeStorageWrapper; sealed: Buffer; file: string }> {
  const file = path.join(tempDir(), 'books.db')
  const db = openStore(file)
  dbs.push(db)
  const store = osKeyStore()
  const box = await unlockSecrets(db, { safeStorage: store })
  const sealed = box.seal({ appPrivateKey: 'PRIVATE-KEY' }, 'anchor-digest')
  db.prepare(
    "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('m', 'alipay', 'x', ?, 1, 1)",
  ).run(sealed)
  return { db, store, sealed, file }
}

describe('the team passphrase: a wrap of the same data key', () => {
  it('is set on unlocked books, then opens them where the key store does not', async () => {
    const { db, store, sealed, file } = await desktopBooks()
    expect(secretsTravel(db)).toBe(false)
    const box = await unlockSecrets(db, { safeStorage: store })
    setPassphraseWrapOn.sync(sqliteExec(db), box, OLD)
    expect(keyringSchemes(db)).toEqual(['passphrase', 'safestorage'])
    expect(secretsTravel(db)).toBe(true)

    // Another desktop: the same file, no key store of this computer, only the passphrase.
    const elsewhere = openStore(file)
    dbs.push(elsewhere)
    const opened = await unlockSecrets(elsewhere, { passphrase: OLD })
    expect(opened.openBound(sealed)).toEqual({
      secrets: { appPrivateKey: 'PRIVATE-KEY' },
      anchor: 'anchor-digest',
    })
    expect((await unlockSecrets(elsewhere, { safeStorage: store })).open(sealed)).toEqual({
      appPrivateKey: 'PRIVATE-KEY',
    })
  })

  it('changes by wrapping again: the old one stops opening, the sealed secrets do not change', async () => {
    const { db, store, sealed } = await desktopBooks()
    setPassphraseWrapOn.sync(sqliteExec(db), await unlockSecrets(db, { safeStorage: store }), OLD)
    const before = db.prepare("SELECT wrapped, params FROM keyring WHERE scheme = 'passphrase'").get() as {
      wrapped: Buffer
      params: string
    }
    const blob = () => (db.prepare('SELECT secrets FROM merchants').get() as { secrets: Buffer }).secrets

    setPassphraseWrapOn.sync(sqliteExec(db), await unlockSecrets(db, { passphrase: OLD }), NEW)
    const after = db.prepare("SELECT wrapped, params FROM keyring WHERE scheme = 'passphrase'").get() as {
      wrapped: Buffer
      params: string
    }
    // A new salt and a new wrap, one row per scheme still; the merchant's blob is the same bytes.
    expect(after.params).not.toBe(before.params)
    expect(after.wrapped.equals(before.wrapped)).toBe(false)
    expect(keyringSchemes(db)).toEqual(['passphrase', 'safestorage'])
    expect(blob().equals(sealed)).toBe(true)

    expect(await passphraseOpens(db, NEW)).toBe(true)
    expect(await passphraseOpens(db, OLD)).toBe(false)
    await expect(unlockSecrets(db, { passphrase: OLD })).rejects.toBeInstanceOf(WrongPassphraseError)
    expect((await unlockSecrets(db, { passphrase: NEW })).open(sealed)).toEqual({
      appPrivateKey: 'PRIVATE-KEY',
    })
    // The key store of this computer still opens the same key.
    expect((await unlockSecrets(db, { safeStorage: store })).open(sealed)).toEqual({
      appPrivateKey: 'PRIVATE-KEY',
    })
  })

  it('says a wrong passphrase as such, and a missing way in as locked', async () => {
    const { db, store } = await desktopBooks()
    // No passphrase wrap yet: a passphrase offered is no way in, and the locked sentence says so.
    const locked = await unlockSecrets(db, { passphrase: OLD }).catch((e: unknown) => e)
    expect(locked).not.toBeInstanceOf(WrongPassphraseError)
    expect((locked as Error).message).toContain('protected by: safestorage')
    setPassphraseWrapOn.sync(sqliteExec(db), await unlockSecrets(db, { safeStorage: store }), OLD)
    const wrong = await unlockSecrets(db, { passphrase: NEW }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(WrongPassphraseError)
    expect((wrong as Error).message).toBe('the passphrase is wrong')
    // A wrong passphrase beside a way that opens is no failure: the key store opens them.
    await expect(unlockSecrets(db, { passphrase: NEW, safeStorage: store })).resolves.toBeDefined()
  })

  it('travels: no sealed secrets need nothing; a key-file wrap travels, nothing at all does not', async () => {
    const file = path.join(tempDir(), 'plain.db')
    const db = openStore(file)
    dbs.push(db)
    expect(secretsTravel(db)).toBe(true)
    db.prepare(
      "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('m', 'alipay', 'x', ?, 1, 1)",
    ).run(Buffer.alloc(40, 1))
    // Sealed secrets and no wrap of any kind: no desktop opens them.
    expect(secretsTravel(db)).toBe(false)
    await unlockSecrets(db, { keyFile: path.join(path.dirname(file), 'plain.key') })
    expect(keyringSchemes(db)).toEqual(['keyfile'])
    expect(secretsTravel(db)).toBe(true)
  })

  it('opens through an Exec with the team ways only, and writes nothing to the keyring', async () => {
    const { db, store, sealed, file } = await desktopBooks()
    const x = sqliteExec(db)
    const rows = () => db.prepare('SELECT scheme, wrapped, params FROM keyring ORDER BY scheme').all()
    // Only this computer's key store: neither team way is there, and the sentence names both.
    const storeOnly = await unlockSecretsIn(x, { passphrase: OLD }).catch((e: unknown) => e)
    expect(storeOnly).toBeInstanceOf(SecretsLockedError)
    expect(storeOnly).not.toBeInstanceOf(WrongPassphraseError)
    expect((storeOnly as Error).message).toContain('protected by: safestorage')
    expect((storeOnly as Error).message).toContain('PAYSYNC_KEY_FILE')

    setPassphraseWrapOn.sync(sqliteExec(db), await unlockSecrets(db, { safeStorage: store }), OLD)
    const before = rows()
    const keyFile = path.join(path.dirname(file), 'not-made.key')
    const box = await unlockSecretsIn(x, { passphrase: OLD, keyFile })
    expect(box.openBound(sealed).secrets).toEqual({ appPrivateKey: 'PRIVATE-KEY' })
    // unlockSecrets would have made the key file's wrap; this one adds nothing anywhere.
    expect(rows()).toEqual(before)
    await expect(unlockSecretsIn(x, { passphrase: NEW })).rejects.toBeInstanceOf(WrongPassphraseError)
    const missing = await unlockSecretsIn(x, { keyFile }).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(SecretsLockedError)
    expect(rows()).toEqual(before)

    // Books without a keyring stay without one.
    const bare = openStore(path.join(tempDir(), 'bare.db'))
    dbs.push(bare)
    await expect(unlockSecretsIn(sqliteExec(bare), { passphrase: OLD })).rejects.toThrow(/no wrap of the key/)
    expect(keyringSchemes(bare)).toEqual([])
  })
})
