import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Db } from '../../src/main/store/connection'
import { unlockSecrets, type SafeStorageWrapper } from '../../src/main/store/keyring'
import { tempDir } from '../helpers/world'

// Two processes unlocking a fresh database at once (review M6): each made a data key of its own and
// `INSERT OR REPLACE` kept only the last, so whatever the first sealed could never be opened again.
// The desktop app's first start while cron runs `sync --pending` on the same file is enough. Here
// the two are two connections of this process, each made to wait for the other at the moment the
// race needs (the OS key store's wrap, which may be slow); the command line's own race, two processes
// started 10-80 ms apart, is tests/cli/keyring-race.test.ts.

/** The OS key store stood in for by AES under a key only this test holds; `gate` holds each wrap. */
function osKeyStore(gate?: Promise<void>): SafeStorageWrapper {
  const key = crypto.randomBytes(32)
  return {
    async wrap(plain) {
      await gate
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

const open: Db[] = []
const connect = (file: string) => {
  const db = openStore(file)
  open.push(db)
  return db
}
afterEach(() => {
  for (const db of open.splice(0)) db.close()
})

describe('creating the keyring of a fresh database', () => {
  it('two creators at once end with one data key: what either sealed opens afterwards', async () => {
    const file = path.join(tempDir(), 'race.db')
    const [a, b] = [connect(file), connect(file)]
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    // One key store for both, as one user's app and cron share it; both read an empty keyring first.
    const store = osKeyStore(gate)
    const unlockA = unlockSecrets(a, { safeStorage: store })
    const unlockB = unlockSecrets(b, { safeStorage: store })
    await new Promise((r) => setTimeout(r, 20))
    release()
    const [boxA, boxB] = await Promise.all([unlockA, unlockB])
    const sealedA = boxA.seal({ privateKey: 'A' })
    const sealedB = boxB.seal({ privateKey: 'B' })

    const later = await unlockSecrets(connect(file), { safeStorage: store })
    expect(later.open(sealedA)).toEqual({ privateKey: 'A' })
    expect(later.open(sealedB)).toEqual({ privateKey: 'B' })
    expect(a.prepare('SELECT count(*) AS n FROM keyring').get()).toEqual({ n: 1 })
  })

  it('a passphrase creator that loses to a key store opens the winner with its passphrase wrap added', async () => {
    const file = path.join(tempDir(), 'race2.db')
    const [a, b] = [connect(file), connect(file)]
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const store = osKeyStore(gate)
    // The app (key store, slow) and a second app start with a passphrase too: both see no keyring.
    const app = unlockSecrets(a, { safeStorage: store })
    const other = unlockSecrets(b, { safeStorage: store, passphrase: 'pw' })
    await new Promise((r) => setTimeout(r, 20))
    release()
    const [boxA, boxB] = await Promise.all([app, other])
    expect(boxA.dataKey.equals(boxB.dataKey)).toBe(true)
    const byPassphrase = await unlockSecrets(connect(file), { passphrase: 'pw' })
    expect(byPassphrase.dataKey.equals(boxA.dataKey)).toBe(true)
  })

  it('a key file another process created meanwhile is read back, not overwritten or refused', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'k.db')
    const keyFile = path.join(dir, 'k.key')
    const db = connect(file)
    // The other process won the file but not yet the keyring: its key is the one to use.
    const theirs = crypto.randomBytes(32)
    fs.writeFileSync(keyFile, theirs.toString('base64') + '\n', { mode: 0o600 })
    const box = await unlockSecrets(db, { keyFile })
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(theirs.toString('base64'))
    const again = await unlockSecrets(connect(file), { keyFile })
    expect(again.open(box.seal({ signSecret: 's' }))).toEqual({ signSecret: 's' })
  })
})
