import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alipayBillZip } from '../../src/main/gateways/simulator/bills/alipay'
import { copyDatabase } from '../../src/main/services/db-copy'
import { exportedFile } from '../../src/main/services/downloads'
import { dispatch } from '../../src/main/services/index'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import { openStore } from '../../src/main/store/connection'
import { formatBeijing } from '../../src/shared/time'
import { ALIPAY_PID } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// A statement's bill kept in the team database (docs/team-mode.md B8.21): reconciled on one desktop
// (an upload and a gateway download), its original downloaded and the day run again from another
// desktop that never had the file; a statement without kept bytes refused; the bills carried by
// `paysync db copy` both ways; and `paysync export rejected --db postgres://…` as the file's export.

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const execRun = promisify(execFile)
const DAY_MS = 86_400_000
const daysAgo = (n: number) => formatBeijing(Date.now() - n * DAY_MS).slice(0, 10)
/** An uploaded Alipay bill's day, and a WeChat day downloaded from the gateway. */
const UP = '2026-10-03'
const DL = daysAgo(4)

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex')

describe.skipIf(pgMissing())("a statement's bill on a team database", () => {
  let world: World
  let url: string
  let amy: TeamHost
  let bob: TeamHost
  let importId: number
  const hosts: TeamHost[] = []
  const bill = alipayBillZip({
    pid: ALIPAY_PID,
    date: UP,
    exportedAt: bj(`${UP} 23:59:59`) + 6 * 3600_000,
    rows: [
      { kind: 'pay', orderNo: 'UP1', amount: 1000, time: bj(`${UP} 12:00:00`) },
      { kind: 'pay', orderNo: 'UP2', amount: 2500, time: bj(`${UP} 13:00:00`) },
    ],
  })
  const open = async (operator: string) => {
    const dataDir = tempDir(`paysync-team-${operator}-`)
    const desk = await TeamDesk.open(url, {
      keys: { passphrase: TEAM },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir,
    })
    const host = new TeamHost(desk, dataDir, { transport: 'http', schedules: false })
    hosts.push(host)
    return host
  }
  const q = async (sql: string, params: unknown[] = []) =>
    (await amy.desk.reads.pool.query(sql, params)).rows as Array<Record<string, unknown>>
  const statementOf = async (merchant: string, day: string) =>
    (
      await q(
        `SELECT s.id, s.file_path, s.file_sha256, s.source, s.run_count FROM statements s
          JOIN merchants m ON m.id = s.merchant_id WHERE m.name = $1 AND s.bill_date = $2`,
        [merchant, day],
      )
    )[0] as { id: number; file_path: string; file_sha256: string; source: string; run_count: number }
  /** What 下载原始文件 handed over (browser mode: a download). */
  const original = async (host: TeamHost, id: number) => {
    const res = await dispatchTeam(host, 'statements.original', { id })
    const written = exportedFile(host, res.downloadPath!.split('/')[2]!)!
    return { res, bytes: fs.readFileSync(written.file) }
  }
  /** Amy's desktop is another computer: her copies are out of bob's reach. */
  const away = (file: string) => {
    fs.renameSync(file, `${file}.away`)
    return () => fs.renameSync(`${file}.away`, file)
  }
  const asked = () => world.sim.state.stats.billRequests

  beforeAll(async () => {
    world = await createWorld({
      merchants: [
        { name: 'ali', channel: 'alipay' },
        { name: 'wx', channel: 'wechat' },
      ],
      context: { passphrase: TEAM, operator: 'amy', transport: 'http' },
    })
    world.payOrder({
      merchant: 'ali',
      orderNo: 'UP1',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${UP} 12:00:00`),
    })
    world.payOrder({
      merchant: 'ali',
      orderNo: 'UP2',
      amount: 2500,
      status: 'success',
      paidAt: bj(`${UP} 13:00:00`),
    })
    world.payOrder({
      merchant: 'wx',
      orderNo: 'DL1',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${DL} 10:00:00`),
    })
    world.gatewayOrder({
      merchant: 'wx',
      orderNo: 'DL1',
      amount: 1000,
      state: 'SUCCESS',
      paidAt: bj(`${DL} 10:00:00`),
    })
    // An import with a refused row, on the desktop's file before the team database is made of it.
    const list = path.join(tempDir(), 'list.csv')
    fs.writeFileSync(
      list,
      '商户订单号,商户,金额(元),订单状态\r\nIM-1,ali,1.00,支付中\r\nIM-2,ali,oops,支付中\r\n',
    )
    const run = await dispatch(world.ctx, 'imports.run', {
      file: world.ctx.handles.namedToRead(list).file,
      merchant: 'ali',
    })
    expect(run).toMatchObject({ inserted: 1, rejected: 1 })
    importId = run.importId!
    url = await freshDatabase('paysync_originals')
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    amy = await open('amy')
    bob = await open('bob')
  })

  afterAll(async () => {
    for (const h of hosts) await h.close().catch(() => undefined)
    await world?.close()
  })

  it('an uploaded bill: its original and a run again from another desktop, the gateway not asked', async () => {
    const handle = (
      await dispatchTeam(amy, 'files.upload', { name: bill.name, contentBase64: bill.zip.toString('base64') })
    ).file
    const run = await dispatchTeam(amy, 'statements.reconcile', { merchant: 'ali', date: UP, file: handle })
    expect(run).toMatchObject({ source: 'upload', result: 'balanced' })
    const st = await statementOf('ali', UP)
    expect(st.file_sha256).toBe(sha256(bill.zip))
    // Kept in the team database with the statement that names it.
    expect(
      await q('SELECT name, sha256, size FROM statement_files WHERE statement_id = $1', [st.id]),
    ).toEqual([{ name: bill.name, sha256: sha256(bill.zip), size: bill.zip.length }])

    const back = away(st.file_path)
    try {
      const got = await original(bob, st.id)
      expect(got.res).toMatchObject({ file: bill.name, rows: 0, bytes: bill.zip.length })
      expect(got.bytes.equals(bill.zip)).toBe(true)

      // Run again from bob's desktop: an upload no gateway gives again, read from the team database.
      const before = asked()
      const again = await dispatchTeam(bob, 'statements.rerun', { id: st.id })
      expect(again).toMatchObject({ source: 'upload', result: 'balanced' })
      expect(asked()).toBe(before)
      const after = await statementOf('ali', UP)
      expect(after).toMatchObject({ source: 'upload', run_count: 2, file_sha256: sha256(bill.zip) })
      expect(after.file_path.startsWith(bob.desk.dataDir)).toBe(true)
      expect(fs.readFileSync(after.file_path).equals(bill.zip)).toBe(true)
    } finally {
      back()
    }
  })

  it("a downloaded bill: the original from another desktop, byte for byte amy's download", async () => {
    const run = await dispatchTeam(amy, 'statements.reconcile', { merchant: 'wx', date: DL })
    expect(run).toMatchObject({ source: 'download', verified: true })
    const st = await statementOf('wx', DL)
    const downloaded = fs.readFileSync(st.file_path)
    expect(sha256(downloaded)).toBe(st.file_sha256)
    const back = away(st.file_path)
    try {
      const before = asked()
      const got = await original(bob, st.id)
      expect(got.bytes.equals(downloaded)).toBe(true)
      expect(asked()).toBe(before)
    } finally {
      back()
    }
  })

  it('a statement whose bytes the team database does not keep is refused, in words', async () => {
    const st = await statementOf('wx', DL)
    // As a statement reconciled before migration 022: only amy's desktop has the bill.
    const kept = await q('SELECT * FROM statement_files WHERE statement_id = $1', [st.id])
    await q('DELETE FROM statement_files WHERE statement_id = $1', [st.id])
    const back = away(st.file_path)
    try {
      await expect(dispatchTeam(bob, 'statements.original', { id: st.id })).rejects.toMatchObject({
        code: 'not_found',
        id: 'statement.noOriginal',
      })
    } finally {
      back()
    }
    // Amy's desktop still has its copy, and hands it over; not once it is changed on her computer.
    const copy = fs.readFileSync(st.file_path)
    expect((await original(amy, st.id)).bytes.equals(copy)).toBe(true)
    fs.writeFileSync(st.file_path, Buffer.concat([copy, Buffer.from('x')]))
    try {
      await expect(dispatchTeam(amy, 'statements.original', { id: st.id })).rejects.toMatchObject({
        id: 'statement.noOriginal',
      })
    } finally {
      fs.writeFileSync(st.file_path, copy)
    }
    await expect(dispatchTeam(bob, 'statements.original', { id: 99_999 })).rejects.toMatchObject({
      id: 'statement.notFound',
    })
    const row = kept[0]!
    await q(
      'INSERT INTO statement_files (statement_id, name, sha256, size, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.statement_id, row.name, row.sha256, row.size, row.bytes, row.created_at],
    )
  })

  it('the bills go with `paysync db copy`, out to a file and into another team database', async () => {
    const bills = await q('SELECT statement_id, sha256, bytes FROM statement_files ORDER BY statement_id')
    expect(bills).toHaveLength(2)
    const archive = path.join(tempDir(), 'archive.db')
    const out = await copyDatabase(url, archive)
    expect(out.outcome).toBe('copied')
    expect(out.tables.find((t) => t.table === 'statement_files')?.rows).toBe(2)
    const db = openStore(archive)
    try {
      const there = db
        .prepare('SELECT statement_id, sha256, bytes FROM statement_files ORDER BY statement_id')
        .all()
      expect(there).toEqual(bills)
    } finally {
      db.close()
    }
    const other = await freshDatabase('paysync_originals_again')
    const into = await copyDatabase(archive, other)
    expect(into.outcome).toBe('copied')
    expect(into.tables).toEqual(out.tables)
    // Counted and hashed alike on both ends: a second copy finds the same rows.
    expect((await copyDatabase(archive, url)).outcome).toBe('equal')
  })

  it("`paysync export rejected ID --db postgres://…`: the file's bytes, audited", async () => {
    const onFile = await dispatch(world.ctx, 'export.run', { kind: 'rejected', importId })
    const fileText = fs.readFileSync(exportedFile(world.ctx, onFile.downloadPath!.split('/')[2]!)!.file)
    const out = path.join(tempDir(), 'refused.csv')
    const r = await execRun(
      process.execPath,
      [BIN, '--db', url, 'export', 'rejected', String(importId), '--out', out, '--json'],
      { env: { ...process.env, NO_COLOR: '1', PAYSYNC_OPERATOR: 'cy' } },
    )
    expect(JSON.parse(r.stdout)).toMatchObject({ file: out, rows: 1 })
    expect(fs.readFileSync(out).equals(fileText)).toBe(true)
    expect(
      await q(`SELECT operator, transport, target, detail FROM audit_log WHERE action = 'export_written'`),
    ).toEqual([
      {
        operator: 'cy',
        transport: 'cli',
        target: out,
        detail: JSON.stringify({ kind: 'rejected', rows: 1, total: false }),
      },
    ])
  }, 60_000)
})
