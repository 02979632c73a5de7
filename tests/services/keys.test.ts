import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { keyFileFor } from '../../src/main/services/context-options'
import { dispatch } from '../../src/main/services/index'
import type { SafeStorageWrapper } from '../../src/main/store/keyring'
import { tempDir } from '../helpers/world'

// The desktop app keeps the data key in the OS key store; a cron run on the same database cannot
// reach it until "command-line access" adds a key-file wrap. The OS key store is Electron's, which
// cannot run here, so it is stood in for by AES under a key only this test holds.

function osKeyStore(): SafeStorageWrapper {
  const key = crypto.randomBytes(32)
  return {
    wrap(plain) {
      const iv = crypto.randomBytes(12)
      const c = crypto.createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([c.update(plain), c.final()])
      return Buffer.concat([iv, c.getAuthTag(), body])
    },
    unwrap(wrapped) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, 12))
      d.setAuthTag(wrapped.subarray(12, 28))
      return Buffer.concat([d.update(wrapped.subarray(28)), d.final()])
    },
  }
}

const open: ServiceContext[] = []
const context = (o: ConstructorParameters<typeof ServiceContext>[0]) => {
  const c = new ServiceContext(o)
  open.push(c)
  return c
}
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

describe('command-line access to the secrets of the desktop app', () => {
  it('is off until allowed, then a headless run opens the same secrets; turning it off locks them again', async () => {
    const dir = tempDir()
    const dbFile = path.join(dir, 'paysync.db')
    const app = context({
      dbFile,
      transport: 'electron',
      safeStorage: osKeyStore(),
      keyStore: { backend: 'gnome_libsecret', secure: true },
      // The person says yes when the app asks before it writes the key file.
      dialogs: { open: async () => null, save: async () => null, confirm: async () => true },
    })
    const box = await app.secretBox()
    const sealed = box.seal({ privateKey: 'PRIVATE' })

    let info = await dispatch(app, 'app.info', undefined)
    expect(info.keyStore).toMatchObject({
      backend: 'gnome_libsecret',
      secure: true,
      schemes: ['safestorage'],
      headless: false,
    })
    expect(fs.existsSync(keyFileFor(dbFile))).toBe(false)

    const cron1 = context({ dbFile, transport: 'cli' })
    await expect(cron1.secretBox()).rejects.toMatchObject({ code: 'secrets_locked' })

    const on = await dispatch(app, 'keys.setHeadless', { enabled: true })
    expect(on).toMatchObject({
      schemes: ['keyfile', 'safestorage'],
      headless: true,
      keyFileName: path.basename(keyFileFor(dbFile)),
    })
    if (process.platform !== 'win32') expect(fs.statSync(keyFileFor(dbFile)).mode & 0o777).toBe(0o600)
    const cron2 = context({ dbFile, transport: 'cli' })
    expect((await cron2.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })

    const off = await dispatch(app, 'keys.setHeadless', { enabled: false })
    expect(off).toMatchObject({ schemes: ['safestorage'], headless: false })
    const cron3 = context({ dbFile, transport: 'cli' })
    await expect(cron3.secretBox()).rejects.toMatchObject({ code: 'secrets_locked' })
    info = await dispatch(app, 'app.info', undefined)
    expect(info.keyStore.headless).toBe(false)
  })

  it('refuses to drop the key file when it is the only thing protecting the secrets', async () => {
    const dbFile = path.join(tempDir(), 'cli.db')
    const cli = context({ dbFile, transport: 'http' })
    await cli.secretBox()
    expect((await dispatch(cli, 'app.info', undefined)).keyStore).toMatchObject({
      schemes: ['keyfile'],
      headless: true,
    })
    await expect(dispatch(cli, 'keys.setHeadless', { enabled: false })).rejects.toMatchObject({
      code: 'conflict',
    })
    expect((await dispatch(cli, 'app.info', undefined)).keyStore.headless).toBe(true)
  })
})

describe('an app with no secure key store (Linux without a keyring: basic_text)', () => {
  const basicText = Object.freeze({ backend: 'basic_text', secure: false })

  it('keeps the secrets under a passphrase it asks for, never under basic_text or a key file', async () => {
    const dbFile = path.join(tempDir(), 'paysync.db')
    const store = osKeyStore()
    const app = context({ dbFile, transport: 'electron', safeStorage: store, keyStore: basicText })
    expect((await dispatch(app, 'app.info', undefined)).keyStore).toMatchObject({
      backend: 'basic_text',
      secure: false,
      schemes: [],
      needsPassphrase: true,
    })
    await expect(app.secretBox()).rejects.toMatchObject({
      code: 'secrets_locked',
      id: 'secrets.passphraseNeeded',
    })
    expect(fs.existsSync(keyFileFor(dbFile))).toBe(false)

    const info = await dispatch(app, 'keys.unlock', { passphrase: 'correct horse' })
    expect(info).toMatchObject({ schemes: ['passphrase'], needsPassphrase: false })
    const sealed = (await app.secretBox()).seal({ privateKey: 'PRIVATE' })
    expect(fs.existsSync(keyFileFor(dbFile))).toBe(false)

    // The command line's passphrase mode opens the same secrets.
    const cli = context({ dbFile, transport: 'cli', passphrase: 'correct horse' })
    expect((await cli.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })
    // A second run of the app asks again, and a wrong answer is refused and forgotten.
    const again = context({ dbFile, transport: 'electron', safeStorage: store, keyStore: basicText })
    await expect(dispatch(again, 'keys.unlock', { passphrase: 'wrong' })).rejects.toMatchObject({
      id: 'secrets.wrongPassphrase',
    })
    expect(again.needsPassphrase()).toBe(true)
    await dispatch(again, 'keys.unlock', { passphrase: 'correct horse' })
    expect((await again.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })
  })

  it('moves an older basic_text wrap under the passphrase, and drops it', async () => {
    const dbFile = path.join(tempDir(), 'older.db')
    const store = osKeyStore()
    // What an older version did on such a computer: the data key "wrapped" by basic_text alone.
    const older = context({ dbFile, transport: 'electron', safeStorage: store })
    const sealed = (await older.secretBox()).seal({ privateKey: 'PRIVATE' })
    expect((await dispatch(older, 'app.info', undefined)).keyStore.schemes).toEqual(['safestorage'])

    const app = context({ dbFile, transport: 'electron', safeStorage: store, keyStore: basicText })
    expect(app.needsPassphrase()).toBe(true)
    await expect(app.secretBox()).rejects.toMatchObject({ id: 'secrets.passphraseNeeded' })
    const info = await dispatch(app, 'keys.unlock', { passphrase: 'a new passphrase' })
    expect(info.schemes).toEqual(['passphrase'])
    expect((await app.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })
    const cli = context({ dbFile, transport: 'cli', passphrase: 'a new passphrase' })
    expect((await cli.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })
  })

  it('opens through command-line access (a key-file wrap) without asking', async () => {
    const dbFile = path.join(tempDir(), 'headless.db')
    const cli = context({ dbFile, transport: 'cli' })
    const sealed = (await cli.secretBox()).seal({ privateKey: 'PRIVATE' })
    const app = context({ dbFile, transport: 'electron', safeStorage: osKeyStore(), keyStore: basicText })
    expect(app.needsPassphrase()).toBe(false)
    expect((await app.secretBox()).open(sealed)).toEqual({ privateKey: 'PRIVATE' })
    expect((await dispatch(app, 'app.info', undefined)).keyStore.schemes).toEqual(['keyfile'])
  })
})
