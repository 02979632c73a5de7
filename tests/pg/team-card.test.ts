import path from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { AppError } from '../../src/shared/errors'
import type { TeamDbProgressEvent } from '../../src/shared/team-db'
import { PASSWORD_ROLE } from '../helpers/pg-cluster'
import { freshDatabase, pgMissing, serverUrl } from '../helpers/pg'
import { tempDir } from '../helpers/world'

// 设置 → 团队数据库 through the contract (docs/team-mode.md B8.2, B8.3): the check and the copy of
// the app's own books, as the window calls them, against a real PostgreSQL. The team database is
// owned by the scram role, so every address carries a password that must come back nowhere.

const T0 = Date.UTC(2026, 10, 30, 2)
const PASSWORD = PASSWORD_ROLE.password

/** A new database owned by the password role, and the address that names it with the password. */
async function ownedDatabase(): Promise<string> {
  const url = await freshDatabase()
  const name = new URL(url).pathname.slice(1)
  const admin = new pg.Client(url)
  await admin.connect()
  await admin.query(`ALTER DATABASE ${name} OWNER TO ${PASSWORD_ROLE.user}`)
  await admin.end()
  return serverUrl({ ...PASSWORD_ROLE, database: name })
}

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client(url)
  await c.connect()
  try {
    return (await c.query<{ n: number }>(sql)).rows[0]!.n
  } finally {
    await c.end()
  }
}

/** Some books: two merchants and a few hundred orders, enough for more than one progress event. */
function seed(ctx: ServiceContext): void {
  const ins = (sql: string, ...v: unknown[]) => ctx.db.prepare(sql).run(...v)
  ins(
    "INSERT INTO merchants (name, channel, endpoint, created_at, updated_at) VALUES ('杭州门店', 'alipay', 'x', ?, ?)",
    T0,
    T0,
  )
  for (let i = 1; i <= 300; i++)
    ins(
      `INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, amount, status, refundable_amount,
         created_at, updated_at) VALUES (?, ?, 1, 'alipay', ?, 'success', ?, ?, ?)`,
      `P${i}`,
      `B${i}`,
      i * 10,
      i * 10,
      T0,
      T0,
    )
}

const copyAudits = (ctx: ServiceContext) =>
  ctx.db
    .prepare(
      "SELECT id, target, detail, transport FROM audit_log WHERE action = 'team_db_copied' ORDER BY id",
    )
    .all() as Array<{ id: number; target: string; detail: string; transport: string }>

describe.skipIf(pgMissing())('设置 → 团队数据库 through the contract', () => {
  let ctx: ServiceContext
  beforeEach(() => {
    ctx = new ServiceContext({ dbFile: path.join(tempDir(), 'books.db'), transport: 'electron' })
    seed(ctx)
  })
  afterEach(async () => {
    await ctx.close()
  })

  it('checks an empty and a ready database, and a wrong password, never saying the password', async () => {
    const address = await ownedDatabase()
    const empty = await dispatch(ctx, 'teamDb.check', { address })
    expect(empty).toMatchObject({ ok: true, state: 'empty', id: 'teamDb.empty' })
    expect(empty.address).toContain(`${PASSWORD_ROLE.user}:***@`)
    expect(empty.messageZh).toContain('是空库')

    await dispatch(ctx, 'teamDb.copyIn', { address })
    const ready = await dispatch(ctx, 'teamDb.check', { address })
    expect(ready).toMatchObject({ ok: true, state: 'ready' })

    const wrong = serverUrl({ user: PASSWORD_ROLE.user, password: 'Not-The-Pw-42' })
    const refused = await dispatch(ctx, 'teamDb.check', { address: wrong })
    expect(refused).toMatchObject({ ok: false, state: 'auth', id: 'teamDb.auth' })
    expect(refused.message).toContain(`refused the user ${PASSWORD_ROLE.user}`)
    const said = JSON.stringify([empty, ready, refused])
    expect(said).not.toContain(PASSWORD)
    expect(said).not.toContain('Not-The-Pw-42')
  })

  it('refuses what is not an address in a sentence that keeps the password out', async () => {
    const err = await dispatch(ctx, 'teamDb.check', { address: 'mysql://me:Hush-99@db/books' }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).id).toBe('teamDb.notAddress')
    expect((err as AppError).message).not.toContain('Hush-99')
    await expect(dispatch(ctx, 'teamDb.copyIn', {})).rejects.toMatchObject({ code: 'invalid_input' })
  })

  it('copies the books in with progress and an audit row; the second time finds them equal', async () => {
    const address = await ownedDatabase()
    const events: TeamDbProgressEvent[] = []
    const off = ctx.on('teamDb.progress', (p) => events.push(p))
    const first = await dispatch(ctx, 'teamDb.copyIn', { address })
    off()
    expect(first.outcome).toBe('copied')
    expect(first.to).toContain(':***@')
    const rows = Object.fromEntries(first.tables.map((t) => [t.table, t.rows]))
    expect(rows).toMatchObject({ merchants: 1, pay_orders: 300 })
    expect(first.rows).toBe(first.tables.reduce((n, t) => n + t.rows, 0))
    expect(first.tables.every((t) => /^[0-9a-f]{64}$/.test(t.sha256))).toBe(true)
    // Both phases were told, each table in its place of the plan.
    expect(events.some((e) => e.phase === 'copy' && e.table === 'pay_orders' && e.done === 300)).toBe(true)
    expect(events.some((e) => e.phase === 'verify')).toBe(true)
    expect(events.every((e) => e.index >= 0 && e.index < e.tables && e.tables === first.tables.length)).toBe(
      true,
    )

    // The copy is audited in the books, by the masked address, and the team database holds the same row.
    const audits = copyAudits(ctx)
    expect(audits).toHaveLength(1)
    expect(audits[0]).toMatchObject({ transport: 'electron' })
    expect(audits[0]!.target).toBe(first.to)
    expect(JSON.parse(audits[0]!.detail)).toEqual({ tables: first.tables.length, rows: first.rows })
    expect(
      await count(address, "SELECT count(*)::int AS n FROM audit_log WHERE action = 'team_db_copied'"),
    ).toBe(1)

    const again = await dispatch(ctx, 'teamDb.copyIn', { address })
    expect(again.outcome).toBe('equal')
    expect(again.tables.find((t) => t.table === 'pay_orders')).toEqual(
      first.tables.find((t) => t.table === 'pay_orders'),
    )
    // Nothing written on either side: no second audit row here, the same counts there.
    expect(copyAudits(ctx)).toHaveLength(1)
    expect(await count(address, 'SELECT count(*)::int AS n FROM audit_log')).toBe(
      (ctx.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n,
    )
    expect(await count(address, 'SELECT count(*)::int AS n FROM pay_orders')).toBe(300)
    expect(JSON.stringify([first, again, events, copyAudits(ctx)])).not.toContain(PASSWORD)
  })

  it('reads the books in one snapshot while the app writes, and refuses a second copy meanwhile', async () => {
    const address = await ownedDatabase()
    let wrote = false
    const off = ctx.on('teamDb.progress', () => {
      if (wrote) return
      wrote = true
      // The app goes on working on its file: a new order after the copy's snapshot began.
      ctx.db
        .prepare(
          `INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, amount, status, refundable_amount,
             created_at, updated_at) VALUES ('P-late', 'B-late', 1, 'alipay', 1, 'success', 1, ?, ?)`,
        )
        .run(T0, T0)
    })
    const running = dispatch(ctx, 'teamDb.copyIn', { address })
    const second = await dispatch(ctx, 'teamDb.copyIn', { address }).catch((e: unknown) => e)
    expect(second).toBeInstanceOf(AppError)
    expect((second as AppError).id).toBe('teamDb.copyBusy')
    const done = await running
    off()
    expect(wrote).toBe(true)
    expect(done.tables.find((t) => t.table === 'pay_orders')!.rows).toBe(300)
    expect(await count(address, 'SELECT count(*)::int AS n FROM pay_orders')).toBe(300)
    expect((ctx.db.prepare('SELECT count(*) AS n FROM pay_orders').get() as { n: number }).n).toBe(301)
    // Over, a copy may run again: the books differ now, and it says so instead of merging.
    const differs = await dispatch(ctx, 'teamDb.copyIn', { address }).catch((e: unknown) => e)
    expect((differs as AppError).id).toBe('dbCopy.targetDiffers')
    expect((differs as AppError).message).not.toContain(PASSWORD)
  })

  it('says a wrong password in a copy without the password', async () => {
    const address = await ownedDatabase()
    const u = new URL(address)
    u.password = 'Wrong-Horse-7'
    const err = await dispatch(ctx, 'teamDb.copyIn', { address: u.toString() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).id).toBe('teamDb.auth')
    expect(JSON.stringify({ ...(err as AppError), message: (err as AppError).message })).not.toContain(
      'Wrong-Horse-7',
    )
    expect(copyAudits(ctx)).toHaveLength(0)
  })
})
