import crypto from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import type { SafeStorageWrapper } from '../../src/main/store/keyring'
import type { TeamDbProgressEvent } from '../../src/shared/team-db'
import { PASSWORD_ROLE } from '../helpers/pg-cluster'
import { freshDatabase, pgMissing, serverUrl } from '../helpers/pg'
import { tempDir } from '../helpers/world'

// 设置 → 团队数据库 with merchant secrets (docs/team-mode.md B8.7): books whose secrets only this
// computer's key store opens are refused, the card sets the team passphrase, the copy goes in, a
// second copy writes nothing, and a member's copy out of the team database opens with the passphrase.

const TEAM = 'Team-Pass for 2026!'
const T0 = Date.UTC(2026, 11, 4, 2)

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

async function ownedDatabase(): Promise<string> {
  const url = await freshDatabase()
  const name = new URL(url).pathname.slice(1)
  const admin = new pg.Client(url)
  await admin.connect()
  await admin.query(`ALTER DATABASE ${name} OWNER TO ${PASSWORD_ROLE.user}`)
  await admin.end()
  return serverUrl({ ...PASSWORD_ROLE, database: name })
}

async function tableCount(url: string, table: string): Promise<number> {
  const c = new pg.Client(url)
  await c.connect()
  try {
    return (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n
  } catch {
    // No schema yet: the copy never got as far as migrating.
    return -1
  } finally {
    await c.end()
  }
}

const open: ServiceContext[] = []
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

describe.skipIf(pgMissing())('the team key through the card', () => {
  it('refuses, takes the team passphrase, copies, finds it equal, and a member opens the copy', async () => {
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
        "INSERT INTO merchants (name, channel, endpoint, secrets, created_at, updated_at) VALUES ('杭州门店', 'alipay', 'x', ?, ?, ?)",
      )
      .run(sealed, T0, T0)
    const address = await ownedDatabase()
    const events: TeamDbProgressEvent[] = []
    app.on('teamDb.progress', (p) => events.push(p))

    await expect(dispatch(app, 'teamDb.copyIn', { address })).rejects.toMatchObject({
      id: 'dbCopy.secretsStayHere',
    })
    // Refused before anything was written there: not even the schema.
    expect(await tableCount(address, 'merchants')).toBe(-1)
    expect(events).toEqual([])

    // What the card does then: the team passphrase, entered twice there, then the copy again.
    await dispatch(app, 'keys.setPassphrase', { passphrase: TEAM })
    const first = await dispatch(app, 'teamDb.copyIn', { address })
    expect(first.outcome).toBe('copied')
    expect(Object.fromEntries(first.tables.map((t) => [t.table, t.rows]))).toMatchObject({
      keyring: 2,
      merchants: 1,
    })
    // The keyring rows went in before the first copy: the second finds both ends equal and writes nothing.
    const audits = await tableCount(address, 'audit_log')
    const again = await dispatch(app, 'teamDb.copyIn', { address })
    expect(again.outcome).toBe('equal')
    expect(await tableCount(address, 'audit_log')).toBe(audits)

    // A member copies the team database out and opens the secrets with the passphrase alone.
    const mine = path.join(tempDir(), 'member.db')
    await copyDatabase(address, mine)
    const member = new ServiceContext({ dbFile: mine, transport: 'cli', passphrase: TEAM })
    open.push(member)
    const row = member.db.prepare('SELECT secrets FROM merchants').get() as { secrets: Buffer }
    expect((await member.secretBox()).open(row.secrets)).toEqual({ appPrivateKey: 'PRIVATE-KEY' })
    const stranger = new ServiceContext({ dbFile: mine, transport: 'cli', passphrase: 'not the team one' })
    open.push(stranger)
    await expect(stranger.secretBox()).rejects.toMatchObject({ id: 'secrets.wrongPassphrase' })

    const everything = JSON.stringify([first, again, events])
    expect(everything).not.toContain(TEAM)
    expect(everything).not.toContain(PASSWORD_ROLE.password)
  })
})
