import { execFile } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../src/main/store/migrate'
import { connectPg, pgTarget } from '../../src/main/store/pg/connect'
import { migratePg } from '../../src/main/store/pg/migrate'
import { checkTeamDatabase } from '../../src/main/services/team-db'
import { PASSWORD_ROLE } from '../helpers/pg-cluster'
import { freshDatabase, pgMissing, serverUrl } from '../helpers/pg'

// The connection check of a team database (docs/team-mode.md B8.2): each thing a person can get
// wrong gets its own sentence, in both languages, and no password is ever in one.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

async function migrated(): Promise<string> {
  const url = await freshDatabase()
  const c = await connectPg(pgTarget(url))
  await migratePg(c, pgTarget(url))
  await c.end()
  return url
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client(url)
  await c.connect()
  await c.query(text)
  await c.end()
}

describe.skipIf(pgMissing())('checking a team database', () => {
  it('says an empty database is ready to be made, and a migrated one is current', async () => {
    const empty = await checkTeamDatabase(await freshDatabase())
    expect(empty).toMatchObject({ ok: true, state: 'empty', schema: 0, id: 'teamDb.empty' })
    expect(empty.server).toMatch(/^\d+/)
    const ready = await checkTeamDatabase(await migrated())
    expect(ready).toMatchObject({ ok: true, state: 'ready', schema: SCHEMA_VERSION })
    expect(ready.messageZh).toContain('与本版本一致')
  })

  it('tells an older schema, a newer one and another program apart', async () => {
    const older = await migrated()
    await sql(older, `DELETE FROM schema_migrations WHERE version = ${SCHEMA_VERSION}`)
    expect(await checkTeamDatabase(older)).toMatchObject({
      ok: true,
      state: 'older',
      schema: SCHEMA_VERSION - 1,
    })

    const newer = await migrated()
    await sql(newer, `INSERT INTO schema_migrations (version) VALUES (${SCHEMA_VERSION + 3})`)
    const n = await checkTeamDatabase(newer)
    expect(n).toMatchObject({ ok: false, state: 'newer_schema', schema: SCHEMA_VERSION + 3 })
    expect(n.message).toMatch(/newer PaySync Desk .*update PaySync Desk/)

    const foreign = await freshDatabase()
    await sql(foreign, 'CREATE TABLE invoices (id int); CREATE TABLE customers (id int)')
    const f = await checkTeamDatabase(foreign)
    expect(f).toMatchObject({ ok: false, state: 'foreign' })
    expect(f.message).toContain('(customers, invoices)')
  })

  it('names the address, the user or the database that is wrong', async () => {
    const port = await closedPort()
    const down = await checkTeamDatabase(`postgres://someone:pw@127.0.0.1:${port}/books`)
    expect(down).toMatchObject({ ok: false, state: 'unreachable' })
    expect(down.message).toBe(
      `no PostgreSQL answers at 127.0.0.1:${port} (connection refused): check the host and port, ` +
        'and that the server is running and lets this computer in',
    )
    const wrong = await checkTeamDatabase(serverUrl({ user: PASSWORD_ROLE.user, password: 'not-it' }))
    expect(wrong).toMatchObject({ ok: false, state: 'auth', params: { user: PASSWORD_ROLE.user } })
    expect(await checkTeamDatabase(serverUrl({ user: 'nobody_here' }))).toMatchObject({ state: 'auth' })
    const right = await checkTeamDatabase(serverUrl(PASSWORD_ROLE))
    // The password was taken: what is said next is about the database (\`postgres\`, not the role's own).
    expect(right).toMatchObject({ ok: false, state: 'no_permission' })
    const missing = await checkTeamDatabase(serverUrl({ database: 'no_such_books' }))
    expect(missing).toMatchObject({ ok: false, state: 'no_database', params: { database: 'no_such_books' } })
    expect(missing.messageZh).toContain('没有名为 no_such_books 的数据库')
  })

  it('says when the user may not build the schema, and how to let it', async () => {
    const url = await freshDatabase()
    const name = new URL(url).pathname.slice(1)
    const asMember = serverUrl({ ...PASSWORD_ROLE, database: name })
    const denied = await checkTeamDatabase(asMember)
    expect(denied).toMatchObject({ ok: false, state: 'no_permission', params: { user: PASSWORD_ROLE.user } })
    expect(denied.message).toContain(`ALTER DATABASE ${name} OWNER TO ${PASSWORD_ROLE.user}`)
    await sql(url, `ALTER DATABASE ${name} OWNER TO ${PASSWORD_ROLE.user}`)
    expect(await checkTeamDatabase(asMember)).toMatchObject({ ok: true, state: 'empty' })
  })

  it('on the command line: one sentence, exit 1, --json, and the password masked everywhere', async () => {
    const secret = 'Sup3r-Secret-Pw'
    const address = serverUrl({ user: PASSWORD_ROLE.user, password: secret })
    const failed = await run(process.execPath, [BIN, 'db', 'check', address]).catch((e: unknown) => e)
    const f = failed as { code: number; stdout: string; stderr: string }
    expect(f.code).toBe(1)
    expect(f.stderr).toBe(
      `paysync: PostgreSQL at ${new URL(address).host} refused the user ${PASSWORD_ROLE.user}: ` +
        'the password is wrong or there is no such user\n',
    )
    const owned = await freshDatabase()
    const name = new URL(owned).pathname.slice(1)
    await sql(owned, `ALTER DATABASE ${name} OWNER TO ${PASSWORD_ROLE.user}`)
    const ok = await run(process.execPath, [
      BIN,
      '--json',
      'db',
      'check',
      serverUrl({ ...PASSWORD_ROLE, database: name }),
    ])
    const report = JSON.parse(ok.stdout) as { ok: boolean; address: string; state: string }
    expect(report).toMatchObject({ ok: true, state: 'empty' })
    expect(report.address).toContain(`${PASSWORD_ROLE.user}:***@`)
    expect(ok.stdout + ok.stderr + f.stdout + f.stderr).not.toContain(secret)
    expect(ok.stdout).not.toContain(PASSWORD_ROLE.password)
  })
})
