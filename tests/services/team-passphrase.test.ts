import crypto from 'node:crypto'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import type { SafeStorageWrapper } from '../../src/main/store/keyring'
import { AppError } from '../../src/shared/errors'
import { say } from '../../src/shared/messages'
import { tempDir } from '../helpers/world'

// The team passphrase through the contract (docs/team-mode.md B8.7), and the copy into a team
// database refusing secrets that only this computer opens. No team database is needed here: the
// refusal comes before any connection, and an address where nothing listens shows that a copy got
// past it. The copy that writes, and writes nothing the second time, is tests/pg/team-card.test.ts.

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

const TEAM = 'Pa55 for the whole team'
const NEXT = 'another passphrase, longer'
const SHORT = 'Short-Pw-77'
/** Nothing listens on port 1 of loopback: a copy that gets this far was not refused for its secrets. */
const NOWHERE = 'postgres://me:pw@127.0.0.1:1/team'

const open: ServiceContext[] = []
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
  vi.restoreAllMocks()
})

/** The desktop app's books: secrets under this computer's key store alone, one merchant's sealed. */
async function desktop(): Promise<{ app: ServiceContext; dbFile: string; sealed: Buffer }> {
  const dbFile = path.join(tempDir(), 'books.db')
  const app = new ServiceContext({
    dbFile,
    transport: 'electron',
    safeStorage: osKeyStore(),
    keyStore: { backend: 'gnome_libsecret', secure: true },
  })
  open.push(app)
  const sealed = (await app.secretBox()).seal({ appPrivateKey: 'PRIVATE-KEY' })
  app.db
    .prepare(
      "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('m', 'alipay', 'x', ?, 1, 1)",
    )
    .run(sealed)
  return { app, dbFile, sealed }
}

const member = (dbFile: string, passphrase?: string) => {
  const c = new ServiceContext({ dbFile, transport: 'cli', passphrase })
  open.push(c)
  return c
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  )

describe('setting and changing the team passphrase', () => {
  it('sets it on unlocked books, refuses a short one in a sentence, and another desktop opens with it', async () => {
    const { app, dbFile, sealed } = await desktop()
    const short = await refusal(dispatch(app, 'keys.setPassphrase', { passphrase: 'eleven char' }))
    expect(short).toMatchObject({ code: 'invalid_input', id: 'keys.teamTooShort', params: { n: 12 } })
    expect(short!.message).toBe(say('keys.teamTooShort', { n: 12 }))
    // Twelve characters, counted as a person counts them (Chinese ones too).
    await expect(
      dispatch(app, 'keys.setPassphrase', { passphrase: '团队口令只有十一个字符' }),
    ).rejects.toMatchObject({
      id: 'keys.teamTooShort',
    })

    const info = await dispatch(app, 'keys.setPassphrase', { passphrase: TEAM })
    expect(info.schemes).toEqual(['passphrase', 'safestorage'])
    expect((await member(dbFile, TEAM).secretBox()).open(sealed)).toEqual({ appPrivateKey: 'PRIVATE-KEY' })

    // Set once; after that it is changed, with the current one.
    await expect(dispatch(app, 'keys.setPassphrase', { passphrase: NEXT })).rejects.toMatchObject({
      code: 'conflict',
      id: 'keys.passphraseSetAlready',
    })
  })

  it('changes it only with the current one; the old stops opening, the secrets still open', async () => {
    const { app, dbFile, sealed } = await desktop()
    await expect(
      dispatch(app, 'keys.setPassphrase', { passphrase: NEXT, current: TEAM }),
    ).rejects.toMatchObject({ id: 'keys.noPassphraseYet' })
    await dispatch(app, 'keys.setPassphrase', { passphrase: TEAM })

    const wrong = await refusal(
      dispatch(app, 'keys.setPassphrase', { passphrase: NEXT, current: 'not the team one' }),
    )
    expect(wrong).toMatchObject({ code: 'secrets_locked', id: 'secrets.wrongPassphrase' })
    expect(await member(dbFile, TEAM).secretBox()).toBeDefined()

    await dispatch(app, 'keys.setPassphrase', { passphrase: NEXT, current: TEAM })
    const old = await refusal(member(dbFile, TEAM).secretBox())
    // One sentence, not the list of every way the secrets could be opened.
    expect(old).toMatchObject({ code: 'secrets_locked', id: 'secrets.wrongPassphrase' })
    expect(old!.message).toBe(say('secrets.wrongPassphrase'))
    expect((await member(dbFile, NEXT).secretBox()).open(sealed)).toEqual({ appPrivateKey: 'PRIVATE-KEY' })
    // This desktop goes on opening them.
    expect((await app.secretBox()).open(sealed)).toEqual({ appPrivateKey: 'PRIVATE-KEY' })
  })

  it('needs the secrets open first', async () => {
    const { dbFile } = await desktop()
    // The command line of this computer has no way in: no key file, no passphrase yet.
    const cli = member(dbFile)
    await expect(dispatch(cli, 'keys.setPassphrase', { passphrase: TEAM })).rejects.toMatchObject({
      code: 'secrets_locked',
      id: 'keys.teamNeedsOpen',
    })
    expect((await dispatch(cli, 'app.info', undefined)).keyStore.schemes).toEqual(['safestorage'])
  })
})

describe('copying into a team database: the secrets must open on other desktops', () => {
  it('refuses books whose secrets only this key store opens, then copies once a team passphrase is set', async () => {
    const { app, dbFile } = await desktop()
    const cli = await refusal(copyDatabase(dbFile, NOWHERE))
    expect(cli).toMatchObject({ code: 'conflict', id: 'dbCopy.secretsStayHere' })
    expect(cli!.message).toContain('paysync keys passphrase set')
    const card = await refusal(dispatch(app, 'teamDb.copyIn', { address: NOWHERE }))
    expect(card).toMatchObject({ id: 'dbCopy.secretsStayHere' })
    expect(say('dbCopy.secretsStayHere', {}, 'zh-CN')).toContain('设置团队口令')

    await dispatch(app, 'keys.setPassphrase', { passphrase: TEAM })
    // Past the check: now it is the team database that is not there.
    await expect(copyDatabase(dbFile, NOWHERE)).rejects.toMatchObject({ id: 'teamDb.unreachable' })
    await expect(dispatch(app, 'teamDb.copyIn', { address: NOWHERE })).rejects.toMatchObject({
      id: 'teamDb.unreachable',
    })
  })

  it('lets books without merchant secrets go as they are, and a key-file wrap travels too', async () => {
    const bare = new ServiceContext({ dbFile: path.join(tempDir(), 'bare.db'), transport: 'electron' })
    open.push(bare)
    await expect(dispatch(bare, 'teamDb.copyIn', { address: NOWHERE })).rejects.toMatchObject({
      id: 'teamDb.unreachable',
    })
    const { app, dbFile } = await desktop()
    const confirming = new ServiceContext({
      ...app.options,
      dialogs: { open: async () => null, save: async () => null, confirm: async () => true },
    })
    open.push(confirming)
    await dispatch(confirming, 'keys.setHeadless', { enabled: true })
    await expect(copyDatabase(dbFile, NOWHERE)).rejects.toMatchObject({ id: 'teamDb.unreachable' })
  })
})

describe('the team passphrase is never said', () => {
  it('in answers, audit rows, events, or standard error, whether it is right or wrong', async () => {
    const said: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said.push(String(chunk))
      return true
    })
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void said.push(args.join(' ')))
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void said.push(args.join(' ')))
    const { app, dbFile } = await desktop()
    const events: unknown[] = []
    for (const e of ['teamDb.progress', 'batch.progress', 'task.progress'] as const)
      app.on(e, (p) => void events.push(p))

    const answers: unknown[] = []
    const attempt = async (p: Promise<unknown>) =>
      answers.push(await p.catch((e: unknown) => ({ ...(e as object), message: (e as Error).message })))
    await attempt(dispatch(app, 'keys.setPassphrase', { passphrase: SHORT }))
    await attempt(dispatch(app, 'keys.setPassphrase', { passphrase: TEAM }))
    await attempt(dispatch(app, 'keys.setPassphrase', { passphrase: NEXT, current: TEAM + 'x' }))
    await attempt(dispatch(app, 'keys.setPassphrase', { passphrase: NEXT, current: TEAM }))
    await attempt(member(dbFile, TEAM).secretBox())
    await attempt(dispatch(app, 'app.info', undefined))
    await attempt(dispatch(app, 'teamDb.copyIn', { address: NOWHERE }))
    await attempt(dispatch(app, 'audit.list', {}))
    // Refused by the input's schema: its sentence names the field, never the value.
    await attempt(dispatch(app, 'keys.setPassphrase', { passphrase: NEXT.repeat(60) }))

    const audits = app.db.prepare('SELECT action, target, detail FROM audit_log').all() as Array<{
      action: string
      target: string | null
      detail: string | null
    }>
    expect(audits.map((a) => a.action)).toEqual(['team_passphrase_set', 'team_passphrase_changed'])
    expect(audits.every((a) => a.target === 'keyring' && a.detail === null)).toBe(true)
    // The answers are what they should be, so that nothing passes by having failed early.
    expect(answers[0]).toMatchObject({ id: 'keys.teamTooShort' })
    expect(answers[2]).toMatchObject({ id: 'secrets.wrongPassphrase' })
    expect(answers[4]).toMatchObject({ id: 'secrets.wrongPassphrase' })
    expect(answers[6]).toMatchObject({ id: 'teamDb.unreachable' })
    expect(JSON.stringify(answers[7])).toContain('team_passphrase_changed')
    expect(answers[8]).toMatchObject({ id: 'input.invalid' })
    const everything = JSON.stringify([answers, audits, events, said])
    for (const secret of [TEAM, NEXT, SHORT]) expect(everything).not.toContain(secret)
  })
})
