import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import { copyDatabase } from '../../src/main/services/db-copy'
import { openStore, type Db } from '../../src/main/store/connection'
import { connectPg, pgTarget } from '../../src/main/store/pg/connect'
import { PASSWORD_ROLE } from '../helpers/pg-cluster'
import { freshDatabase, pgMissing, serverUrl } from '../helpers/pg'
import { tempDir } from '../helpers/world'

// `paysync db copy` (docs/team-mode.md B8.3): a desktop's file into a team database and back,
// counts and checksums verified, safe to run twice, never merged into other rows.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')
const DAY = 86_400_000
const T0 = Date.UTC(2026, 10, 30, 2)

/** Rows of every kind a copy must carry: blobs, REAL, text keys, NULLs, tabs and newlines, Chinese. */
function seed(db: Db): void {
  const ins = (sql: string, ...v: unknown[]) => db.prepare(sql).run(...v)
  ins(
    `INSERT INTO merchants (name, channel, endpoint, secrets, secret_names, created_at, updated_at)
     VALUES (?, 'alipay', 'https://gw.example/api', ?, '["appPrivateKey"]', ?, ?)`,
    '杭州\t门店',
    Buffer.from([0, 1, 2, 250, 255]),
    T0,
    T0,
  )
  ins(
    "INSERT INTO merchants (name, channel, endpoint, created_at, updated_at) VALUES ('wx', 'wechat', 'x', ?, ?)",
    T0,
    T0,
  )
  for (let i = 1; i <= 2_500; i++)
    ins(
      `INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, title, amount, status, refundable_amount,
         created_at, updated_at, last_sync_outcome, gateway_trade_no)
       VALUES (?, ?, ?, 'alipay', ?, ?, ?, ?, ?, ?, ?, ?)`,
      `P${i}`,
      `B${i}`,
      1 + (i % 2),
      i % 7 ? '' : '第一行\n第二行',
      i * 10,
      i % 3 ? 'success' : 'progress',
      i * 10,
      T0 + (i % 5) * DAY,
      T0,
      i % 4 ? 'repaired' : null,
      i % 2 ? `G${i}` : null,
    )
  ins(
    `INSERT INTO refund_orders (refund_no, biz_refund_no, pay_order_id, merchant_id, channel, amount, status, created_at, updated_at)
     VALUES ('R1', 'BR1', 3, 2, 'alipay', 5, 'success', ?, ?)`,
    T0,
    T0,
  )
  for (let i = 1; i <= 40; i++) {
    ins(
      `INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, channel, merchant_id, outcome,
         gateway_status, source, duration_ms, created_at, amount, repair_no)
       VALUES ('pay', ?, ?, ?, 'alipay', 1, ?, ?, 'batch', 12, ?, ?, ?)`,
      i,
      `P${i}`,
      `B${i}`,
      i % 2 ? 'consistent' : 'repaired',
      i % 3 ? 'SUCCESS' : null,
      T0 + i * 3_600_000,
      i * 10,
      i % 2 ? null : `RP${i}`,
    )
    ins('INSERT INTO sync_record_bodies (record_id, sync_info) VALUES (?, ?)', i, `{"raw":"answer ${i}"}`)
  }
  ins("INSERT INTO batches (name, concurrency, qps, status, created_at) VALUES ('b', 4, 2.5, 'done', ?)", T0)
  ins("INSERT INTO settings (key, value) VALUES ('Zeta', '1'), ('alpha', '2'), ('中文', '3'), ('a b', '4')")
  ins(
    "INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES ('pay:1', 'me', ?), ('Pay:2', 'you', ?)",
    T0,
    T0,
  )
  ins(
    "INSERT INTO keyring (scheme, wrapped, created_at) VALUES ('passphrase', ?, ?)",
    Buffer.alloc(48, 7),
    T0,
  )
}

/** The same later writes on either end: the kept totals must follow them alike. */
const LATER = [
  `INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, amount, status, refundable_amount, created_at, updated_at)
   VALUES ('P-new', 'B-new', 1, 'alipay', 99, 'progress', 99, ${T0}, ${T0})`,
  `UPDATE pay_orders SET status = 'closed', last_sync_outcome = 'closed' WHERE order_no IN ('P3', 'P6', 'P9')`,
  `DELETE FROM sync_record_bodies WHERE record_id = 40`,
  `DELETE FROM sync_records WHERE id = 40`,
]

async function onPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await connectPg(pgTarget(url))
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

describe.skipIf(pgMissing())('copying a database between a file and PostgreSQL', () => {
  let dir: string
  let file: string
  beforeAll(() => {
    dir = tempDir()
    file = path.join(dir, 'desk.db')
    const db = openStore(file)
    seed(db)
    db.close()
  })

  it('copies every table in, verified, then finds the same rows the second time', async () => {
    // A database sorting text by a language's rules: the keys still order (and hash) as SQLite's do.
    const made = await freshDatabase('paysync_test', { languageLocale: true })
    const url = serverUrl({
      password: 'unused-secret',
      database: new URL(made).pathname.slice(1),
    })
    const first = await copyDatabase(file, url)
    expect(first.outcome).toBe('copied')
    expect(first.to).toContain(':***@')
    const rows = Object.fromEntries(first.tables.map((t) => [t.table, t.rows]))
    expect(rows).toMatchObject({ merchants: 2, pay_orders: 2_500, sync_records: 40, settings: 4, keyring: 1 })
    expect(rows.pay_order_days).toBeGreaterThan(0)
    expect(first.tables.map((t) => t.table)).not.toContain('trade_search_marks')
    const order = first.tables.map((t) => t.table)
    expect(order.indexOf('merchants')).toBeLessThan(order.indexOf('pay_orders'))
    expect(order.indexOf('pay_orders')).toBeLessThan(order.indexOf('refund_orders'))

    const blob = await onPg(
      url,
      async (c) => (await c.query('SELECT secrets FROM merchants WHERE id = 1')).rows[0],
    )
    expect(blob.secrets).toEqual(Buffer.from([0, 1, 2, 250, 255]))

    // Vacuumed and analyzed after the commit (docs/team-mode.md B8.3): statistics for the first read, and
    // every page all-visible for the lists' deep pages (B8.6).
    const settled = await onPg(
      url,
      async (c) =>
        (
          await c.query(
            `SELECT relname, reltuples::int AS tuples, relpages, relallvisible FROM pg_class
              WHERE relname IN ('pay_orders', 'sync_records') ORDER BY relname`,
          )
        ).rows,
    )
    expect(settled.map((r: { relname: string; tuples: number }) => [r.relname, r.tuples])).toEqual([
      ['pay_orders', 2_500],
      ['sync_records', 40],
    ])
    for (const r of settled as Array<{ relpages: number; relallvisible: number }>) {
      expect(r.relpages).toBeGreaterThan(0)
      expect(r.relallvisible).toBe(r.relpages)
    }

    const keys = await onPg(url, async (c) => (await c.query('SELECT key FROM settings ORDER BY key')).rows)
    expect(keys.map((r: { key: string }) => r.key)).toEqual(['Zeta', 'a b', 'alpha', '中文'])

    const again = await copyDatabase(file, url)
    expect(again.outcome).toBe('equal')
    expect(again.tables).toEqual(first.tables)
    expect(
      await onPg(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM pay_orders')).rows[0].n),
    ).toBe(2_500)
  })

  it('keeps the totals and the ids going on PostgreSQL as SQLite does after the copy', async () => {
    const url = await freshDatabase()
    await copyDatabase(file, url)
    const copy = path.join(dir, 'desk-later.db')
    const db = openStore(copy)
    db.close()
    await copyDatabase(url, copy)
    const local = openStore(copy)
    for (const sql of LATER) local.exec(sql)
    local.close()
    await onPg(url, async (c) => {
      for (const sql of LATER) await c.query(sql)
    })
    // The same new id on both ends, and kept totals moved alike by the triggers of both dialects.
    expect((await copyDatabase(copy, url)).outcome).toBe('equal')
  })

  it('copies back out into a new file that reads the same', async () => {
    const url = await freshDatabase()
    const into = await copyDatabase(file, url)
    const archive = path.join(dir, 'archive.db')
    const out = await copyDatabase(url, archive)
    expect(out.outcome).toBe('copied')
    expect(out.tables).toEqual(into.tables)
    const db = openStore(archive)
    try {
      const keys = db.prepare('SELECT key FROM settings ORDER BY key').all() as Array<{ key: string }>
      expect(keys.map((k) => k.key)).toEqual(['Zeta', 'a b', 'alpha', '中文'])
      const kept = db.prepare('SELECT sum(n) AS n FROM pay_order_days').get() as { n: number }
      expect(kept.n).toBe(2_500)
    } finally {
      db.close()
    }
  })

  it('refuses a target holding other rows, and writes nothing', async () => {
    const url = await freshDatabase()
    await copyDatabase(file, url)
    await onPg(url, (c) => c.query("UPDATE settings SET value = 'changed' WHERE key = 'alpha'"))
    const refused = await copyDatabase(file, url).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).id).toBe('dbCopy.targetDiffers')
    expect((refused as AppError).message).toContain('settings has 4 there and 4 here')
    expect(
      await onPg(
        url,
        async (c) => (await c.query("SELECT value FROM settings WHERE key = 'alpha'")).rows[0].value,
      ),
    ).toBe('changed')

    const other = path.join(dir, 'other.db')
    const db = openStore(other)
    db.prepare("INSERT INTO settings (key, value) VALUES ('mine', '1')").run()
    db.close()
    const back = await copyDatabase(url, other).catch((e: unknown) => e)
    expect((back as AppError).id).toBe('dbCopy.targetDiffers')
    expect(fs.existsSync(other)).toBe(true)

    // A new archive refused on the way (here: a team database of another program) is not left behind.
    const foreign = await freshDatabase()
    await onPg(foreign, (c) => c.query('CREATE TABLE invoices (id int)'))
    const archive = path.join(dir, 'never.db')
    await expect(copyDatabase(foreign, archive)).rejects.toMatchObject({ id: 'teamDb.foreign' })
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('never.db'))).toEqual([])
  })

  it('says what is wrong with the arguments in one sentence', async () => {
    await expect(copyDatabase(file, path.join(dir, 'x.db'))).rejects.toMatchObject({
      id: 'dbCopy.oneEachSide',
    })
    await expect(copyDatabase(path.join(dir, 'none.db'), serverUrl())).rejects.toMatchObject({
      id: 'dbCopy.noSource',
    })
    await expect(copyDatabase(file, serverUrl({ database: 'no_such_team' }))).rejects.toMatchObject({
      id: 'teamDb.noDatabase',
    })
    // A member who may not build the schema is told how to let it, not PostgreSQL's "permission denied".
    const theirs = new URL(await freshDatabase()).pathname.slice(1)
    await expect(copyDatabase(file, serverUrl({ ...PASSWORD_ROLE, database: theirs }))).rejects.toMatchObject(
      {
        id: 'teamDb.noCreate',
        message: expect.stringContaining(`OWNER TO ${PASSWORD_ROLE.user}`),
      },
    )
  })

  it('on the command line: progress on stderr, the summary as JSON, no password', async () => {
    const url = serverUrl({
      password: 'cli-Secret-9',
      database: new URL(await freshDatabase()).pathname.slice(1),
    })
    const r = await run(process.execPath, [BIN, '--json', 'db', 'copy', '--from', file, '--to', url])
    const summary = JSON.parse(r.stdout) as {
      outcome: string
      tables: Array<{ table: string; rows: number }>
    }
    expect(summary.outcome).toBe('copied')
    expect(r.stderr).toContain('copying pay_orders: 2,000 of 2,500')
    expect(r.stderr).toContain('reading back pay_orders: 2,500 of 2,500')
    expect(r.stdout + r.stderr).not.toContain('cli-Secret-9')
    const text = await run(process.execPath, [BIN, 'db', 'copy', '--from', file, '--to', url])
    expect(text.stdout).toMatch(
      /already holds the same rows as .*desk\.db \(30 tables, [\d,]+ rows; counts and checksums equal\): nothing was written/,
    )
  })
})
