import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSY_CODE } from '../../src/main/engine/sync'
import { decideAnomalyOnTeam } from '../../src/main/services/anomalies'
import { copyDatabase } from '../../src/main/services/db-copy'
import { syncEach } from '../../src/main/services/sync'
import { TeamDesk } from '../../src/main/services/team-desk'
import { StorageFaultError } from '../../src/main/store/faults'
import type { TradeRef } from '../../src/main/services/trade-refs'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { startPgProxy } from '../helpers/pg-proxy'
import { createWorld, tempDir, type World } from '../helpers/world'

// The sync engine on a team database (docs/team-mode.md B8.9). The same trades, made alike in two
// desktops' books, are synced once on the SQLite file and once on a team database the other file was
// copied into: every result and every row the attempts leave (trades, records, repairs, anomalies,
// intents, leases) is the same. Then what only a team has: two desktops on one trade (one asks, the
// other is told 10007), the network cut under a final write (kept in this computer's journal, written
// once when the database answers again), and `paysync sync --order --db postgres://…`.

const TEAM = 'Team-Pass for 2026!'
const HOUR = 3_600_000
const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

interface Made {
  refs: Record<string, TradeRef>
}

/** The same trades and gateway in any world: each case a cell of docs/domain.md sections 4 and 5. */
function makeTrades(w: World): Made {
  const pay = (orderNo: string, o: Partial<Parameters<World['payOrder']>[0]> = {}) =>
    w.payOrder({ merchant: 'ali', orderNo, amount: 1000, ...o })
  const refs: Record<string, TradeRef> = {}
  // Paid at the gateway, progress here: repaired to success.
  refs.paid = { type: 'pay', id: pay('T-PAID') }
  w.gatewayOrder({ merchant: 'ali', orderNo: 'T-PAID', amount: 1000, state: 'TRADE_SUCCESS' })
  // Expired here, still open there: closed at the gateway (an intent first), then here.
  refs.expired = { type: 'pay', id: pay('T-EXPIRED', { expiredAt: Date.now() - HOUR }) }
  w.gatewayOrder({ merchant: 'ali', orderNo: 'T-EXPIRED', amount: 1000, state: 'WAIT_BUYER_PAY' })
  // The same on both sides.
  refs.same = { type: 'pay', id: pay('T-SAME', { status: 'success', paidAt: Date.now() - HOUR }) }
  w.gatewayOrder({ merchant: 'ali', orderNo: 'T-SAME', amount: 1000, state: 'TRADE_SUCCESS' })
  // Paid here, closed unpaid there: a person decides (an anomaly), nothing repaired.
  refs.closed = { type: 'pay', id: pay('T-CLOSED', { status: 'success', paidAt: Date.now() - HOUR }) }
  w.gatewayOrder({ merchant: 'ali', orderNo: 'T-CLOSED', amount: 1000, state: 'TRADE_CLOSED', paidAt: null })
  // Not at the gateway yet, not expired: waiting.
  refs.unknown = { type: 'pay', id: pay('T-NOTYET') }
  // A refund in progress here that succeeded there: repaired, and its pay order's refund state follows.
  const refunded = pay('T-REFUNDED', { status: 'success', paidAt: Date.now() - HOUR })
  w.gatewayOrder({ merchant: 'ali', orderNo: 'T-REFUNDED', amount: 1000, state: 'TRADE_SUCCESS' })
  refs.refund = {
    type: 'refund',
    id: w.refund({ merchant: 'ali', payOrderId: refunded, refundNo: 'R-DONE', amount: 400 }),
  }
  w.gatewayRefund({
    merchant: 'ali',
    orderNo: 'T-REFUNDED',
    refundNo: 'R-DONE',
    amount: 400,
    state: 'REFUND_SUCCESS',
  })
  return { refs }
}

/** What the attempts left in the books, without ids and times (which differ between any two books). */
const ROWS = {
  pay_orders: `SELECT order_no, status, refund_status, refundable_amount, version, gateway_trade_no,
                 last_sync_outcome, last_gateway_status, sync_error_count, next_sync_at IS NULL AS unscheduled
               FROM pay_orders ORDER BY order_no`,
  refund_orders: `SELECT refund_no, status, version, last_sync_outcome, last_gateway_status
                  FROM refund_orders ORDER BY refund_no`,
  sync_records: `SELECT trade_no, trade_type, outcome, gateway_status, repair_no IS NOT NULL AS repaired,
                   anomaly_id IS NOT NULL AS anomaly, error_code, amount, repeated, source, operator
                 FROM sync_records ORDER BY trade_no, outcome`,
  repair_records: `SELECT trade_no, trade_type, way, before_status, after_status, remark, amount, source,
                     sync_record_id IS NOT NULL AS linked
                   FROM repair_records ORDER BY trade_no, trade_type`,
  anomalies: `SELECT trade_no, kind, status, local_status, gateway_status, occurrences,
                sync_record_id IS NOT NULL AS linked
              FROM anomalies ORDER BY trade_no, kind`,
  sync_intents: 'SELECT action, record_id IS NOT NULL AS settled FROM sync_intents ORDER BY action',
  trade_leases: 'SELECT count(*) AS n FROM trade_leases',
}

/** A row's values as both stores give them: SQLite's 0/1 and PostgreSQL's booleans, numbers as numbers. */
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : v,
    ]),
  )

describe.skipIf(pgMissing())('the sync engine on a team database', () => {
  let here: World
  let there: World
  let url: string
  let desk: TeamDesk
  let made: { here: Made; there: Made }
  const dataDir = tempDir('paysync-team-data-')
  const actor = { operator: 'amy', systemUser: 'amy', transport: 'cli' as const }

  /** A pay order in progress, put in the team database as another desktop's import would. */
  const teamOrder = async (
    orderNo: string,
    amount: number,
    o: { expiredAt?: number; nextSyncAt?: number } = {},
  ): Promise<number> => {
    const { rows } = await desk.reads.pool.query(
      `INSERT INTO pay_orders (merchant_id, order_no, biz_order_no, amount, refundable_amount, status, channel,
         created_at, updated_at, expired_at, next_sync_at)
       SELECT merchant_id, $1, $1, $2, 0, 'progress', channel, created_at, updated_at, $3, COALESCE($4, created_at)
         FROM pay_orders WHERE order_no = 'T-PAID' RETURNING id`,
      [orderNo, amount, o.expiredAt ?? Date.now() + HOUR, o.nextSyncAt ?? null],
    )
    return Number(rows[0].id)
  }

  beforeAll(async () => {
    const merchants = [{ name: 'ali', channel: 'alipay' as const }]
    here = await createWorld({ merchants, context: { passphrase: TEAM } })
    there = await createWorld({ merchants, context: { passphrase: TEAM } })
    made = { here: makeTrades(here), there: makeTrades(there) }
    // The team database is a copy of `there`, whose simulator answers it.
    url = await freshDatabase()
    expect((await copyDatabase(there.dbFile, url)).outcome).toBe('copied')
    desk = await TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir })
  })

  afterAll(async () => {
    await desk?.close()
    await here?.close()
    await there?.close()
  })

  it('leaves the same results and rows as the desktop file', async () => {
    const names = Object.keys(made.here.refs)
    const onFile = await syncEach(
      here.ctx.engine,
      names.map((n) => made.here.refs[n]!),
      { source: 'manual', ...actor },
      async () => true,
    )
    const onTeam = await syncEach(
      desk.engine,
      names.map((n) => made.there.refs[n]!),
      { source: 'manual', ...actor },
      async () => true,
    )
    expect({ ...onTeam, durationMs: 0 }).toEqual({ ...onFile, durationMs: 0 })
    expect(onFile).toMatchObject({ repaired: 3, consistent: 1, anomalies: 1, waiting: 1, errors: 0 })

    const pool = desk.reads.pool
    for (const [table, sql] of Object.entries(ROWS)) {
      const file = here.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>
      const team = (await pool.query(sql)).rows
      expect(team.map(plain), table).toEqual(file.map(plain))
    }
    // The close was announced before it was asked, and answered by its record.
    expect(
      (await pool.query('SELECT count(*)::int AS n FROM sync_intents WHERE record_id IS NULL')).rows[0].n,
    ).toBe(0)
  })

  it('one desktop per trade: the second is told 10007 while the first asks', async () => {
    const orderNo = 'T-PAID-LATER'
    there.gatewayOrder({ merchant: 'ali', orderNo, amount: 700, state: 'TRADE_SUCCESS' })
    const id = await teamOrder(orderNo, 700)
    const other = await TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir })
    try {
      const hold = there.sim.state.hold(orderNo)
      const first = desk.engine.syncPay(id, { source: 'manual', ...actor })
      await hold.reached
      const second = await other.engine.syncPay(id, { source: 'manual', ...actor })
      hold.release()
      expect(second).toMatchObject({ outcome: 'skipped', errorCode: BUSY_CODE })
      expect((await first).outcome).toBe('repaired')
      const repairs = await desk.reads.pool.query(
        'SELECT count(*)::int AS n FROM repair_records WHERE trade_no = $1',
        [orderNo],
      )
      expect(repairs.rows[0].n).toBe(1)
      const leases = await desk.reads.pool.query('SELECT count(*)::int AS n FROM trade_leases')
      expect(leases.rows[0].n).toBe(0)
    } finally {
      await other.close()
    }
  })

  it('a lease left over (its answer lost with the connection) is taken at once; a live one is not', async () => {
    // The lease statement committed while the connection went: no attempt holds the lease any more,
    // and nothing of it will be written. Left for its expiry (three minutes), the next sync of the
    // trade would be recorded as skipped (10007) first: what a resumed batch met after a restart.
    const leftBy = async (holder: string, orderNo: string) => {
      there.gatewayOrder({ merchant: 'ali', orderNo, amount: 600, state: 'TRADE_SUCCESS' })
      const id = await teamOrder(orderNo, 600)
      await desk.reads.pool.query(
        `INSERT INTO trade_leases (trade_key, owner, expires_at)
         VALUES ($1, $2, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3)`,
        [`pay:${id}`, holder, HOUR],
      )
      return id
    }
    const records = async (orderNo: string) =>
      (
        await desk.reads.pool.query('SELECT outcome FROM sync_records WHERE trade_no = $1', [orderNo])
      ).rows.map((r) => r.outcome)
    // A desktop of this computer that was closed since.
    const gone = await TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir })
    const byGone = await leftBy(`${gone.engine.owner}#1`, 'T-LEFT-CLOSED')
    await gone.close()
    expect(await desk.engine.syncPay(byGone, { source: 'manual', ...actor })).toMatchObject({
      outcome: 'repaired',
    })
    expect(await records('T-LEFT-CLOSED')).toEqual(['repaired'])
    // This desktop's own, from an attempt of it that is over (its holders are numbered from 1 up).
    const byMe = await leftBy(`${desk.engine.owner}#0`, 'T-LEFT-MINE')
    expect(await desk.engine.syncPay(byMe, { source: 'manual', ...actor })).toMatchObject({
      outcome: 'repaired',
    })
    expect(await records('T-LEFT-MINE')).toEqual(['repaired'])

    // An attempt of this desktop that still asks the gateway keeps its lease from a second one.
    const orderNo = 'T-LEFT-LIVE'
    there.gatewayOrder({ merchant: 'ali', orderNo, amount: 600, state: 'TRADE_SUCCESS' })
    const live = await teamOrder(orderNo, 600)
    const hold = there.sim.state.hold(orderNo)
    const first = desk.engine.syncPay(live, { source: 'manual', ...actor })
    await hold.reached
    const second = await desk.engine.syncPay(live, { source: 'manual', ...actor })
    hold.release()
    expect(second).toMatchObject({ outcome: 'skipped', errorCode: BUSY_CODE })
    expect((await first).outcome).toBe('repaired')
    // And an open desktop's lease, of another engine of this very process, expires as any other's.
    const other = await TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir })
    try {
      const byOther = await leftBy(`${other.engine.owner}#1`, 'T-LEFT-OPEN')
      expect(await desk.engine.syncPay(byOther, { source: 'manual', ...actor })).toMatchObject({
        outcome: 'skipped',
        errorCode: BUSY_CODE,
      })
    } finally {
      await other.close()
    }
  })

  it('the network cut under a final write: kept on this computer, written once when it is back', async () => {
    const orderNo = 'T-CUT'
    there.gatewayOrder({ merchant: 'ali', orderNo, amount: 900, state: 'TRADE_SUCCESS' })
    const id = await teamOrder(orderNo, 900)
    const proxy = await startPgProxy(url)
    const cutData = tempDir('paysync-team-cut-')
    const cutDesk = await TeamDesk.open(proxy.url, {
      keys: { passphrase: TEAM },
      actor,
      dataDir: cutData,
      writeRetryMs: 300,
    })
    try {
      const hold = there.sim.state.hold(orderNo)
      const attempt = cutDesk.engine.syncPay(id, { source: 'manual', ...actor })
      await hold.reached
      proxy.cut()
      hold.release()
      const failed = await attempt.catch((err: unknown) => err)
      expect(failed).toBeInstanceOf(StorageFaultError)
      expect(failed).toMatchObject({ fault: 'db_unreachable', kept: 'journal' })
      const records = async () =>
        (
          await desk.reads.pool.query('SELECT count(*)::int AS n FROM sync_records WHERE trade_no = $1', [
            orderNo,
          ])
        ).rows[0].n
      expect(await records()).toBe(0)
    } finally {
      await cutDesk.close().catch(() => undefined)
    }
    // The next opening, with the network back, writes what this computer kept: once.
    proxy.restore()
    const dir = path.join(cutData, 'team-journals')
    const [kept] = fs.readdirSync(dir)
    const keptLines = fs.readFileSync(path.join(dir, kept!))
    const back = await TeamDesk.open(proxy.url, { keys: { passphrase: TEAM }, actor, dataDir: cutData })
    await back.close()
    // A journal read twice (a crash after the commit, before the file went): the second writes nothing.
    fs.writeFileSync(path.join(dir, kept!), keptLines, { mode: 0o600 })
    const again = await TeamDesk.open(proxy.url, { keys: { passphrase: TEAM }, actor, dataDir: cutData })
    await again.close()
    await proxy.close()
    const order = await desk.reads.pool.query('SELECT status FROM pay_orders WHERE id = $1', [id])
    expect(order.rows[0].status).toBe('success')
    const recs = await desk.reads.pool.query('SELECT outcome FROM sync_records WHERE trade_no = $1', [
      orderNo,
    ])
    expect(recs.rows.map((r) => r.outcome)).toEqual(['repaired'])
    expect(fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).size > 0)).toEqual([])
  })

  it('a close another desktop sent and never answered: shown at the next opening, its trade due now', async () => {
    const orderNo = 'T-GONE'
    const id = await teamOrder(orderNo, 800, {
      expiredAt: Date.now() - HOUR,
      nextSyncAt: Date.now() + 10 * HOUR,
    })
    // A process of another computer announced the close, its lease expired by the database's clock,
    // and no record answers it; one of another computer still holding its lease is left alone.
    const insert = (intent: string, holder: string, trade: number) =>
      desk.reads.pool.query(
        `INSERT INTO sync_intents (id, trade_type, trade_id, action, holder, source, operator, batch_id, created_at)
         VALUES ($1, 'pay', $2, 'close', $3, 'schedule', NULL, NULL, $4)`,
        [intent, trade, holder, Date.now() - 60_000],
      )
    await insert('intent-gone', 'other-desk:4242:ab#7', id)
    await desk.reads.pool.query(
      `INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES ($1, $2, $3)`,
      [`pay:${id}`, 'other-desk:4242:ab#7', Date.now() - 1_000],
    )
    const busy = await teamOrder('T-BUSY', 800, { nextSyncAt: Date.now() + HOUR })
    await insert('intent-busy', 'third-desk:99:cd#1', busy)
    await desk.reads.pool.query(
      `INSERT INTO trade_leases (trade_key, owner, expires_at)
       VALUES ($1, 'third-desk:99:cd#1', floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint + 600000)`,
      [`pay:${busy}`],
    )
    const recovered = await desk.engine.recover()
    expect(recovered.syncAgain).toEqual([{ type: 'pay', id }])
    const rec = await desk.reads.pool.query(
      'SELECT outcome, error_code, anomaly_id IS NOT NULL AS anomaly FROM sync_records WHERE trade_id = $1',
      [id],
    )
    expect(rec.rows).toEqual([{ outcome: 'error', error_code: 'outcome_unknown', anomaly: true }])
    const anomaly = await desk.reads.pool.query("SELECT kind FROM anomalies WHERE trade_no = 'T-GONE'")
    expect(anomaly.rows).toEqual([{ kind: 'gateway_action_unknown' }])
    const after = await desk.reads.pool.query('SELECT next_sync_at FROM pay_orders WHERE id = $1', [id])
    expect(Number(after.rows[0].next_sync_at)).toBeLessThanOrEqual(Date.now())
    const intents = await desk.reads.pool.query(
      'SELECT id, record_id IS NOT NULL AS settled FROM sync_intents WHERE id LIKE $1 ORDER BY id',
      ['intent-%'],
    )
    expect(intents.rows).toEqual([
      { id: 'intent-busy', settled: false },
      { id: 'intent-gone', settled: true },
    ])
    await desk.reads.pool.query("DELETE FROM trade_leases WHERE owner = 'third-desk:99:cd#1'")
  })

  it('two desktops decide one anomaly at once: one wins, the other is told who', async () => {
    const { rows } = await desk.reads.pool.query(
      "SELECT id FROM anomalies WHERE trade_no = 'T-CLOSED' AND status = 'open'",
    )
    const id = Number(rows[0].id)
    const other = await TeamDesk.open(url, {
      keys: { passphrase: TEAM },
      actor: { operator: 'carl', systemUser: 'carl', transport: 'cli' },
      dataDir,
    })
    try {
      const decide = (d: TeamDesk, remark: string) =>
        decideAnomalyOnTeam(d, { id, action: 'acknowledge', remark })
      const [a, b] = await Promise.allSettled([decide(desk, 'amy looked'), decide(other, 'carl looked')])
      const won = [a, b].filter((r) => r.status === 'fulfilled')
      const lost = [a, b].filter((r) => r.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(1)
      const winner = (won[0] as PromiseFulfilledResult<{ operator: string }>).value.operator
      expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
        code: 'conflict',
        id: 'anomaly.closed',
        params: { operator: winner },
      })
      const audits = await desk.reads.pool.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE target = $1 AND action = 'anomaly_resolved'",
        [`anomaly:${id}`],
      )
      expect(audits.rows[0].n).toBe(1)
    } finally {
      await other.close()
    }
    // From the command line, on the team database.
    const gone = await desk.reads.pool.query("SELECT id FROM anomalies WHERE trade_no = 'T-GONE'")
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_OPERATOR: 'dora', XDG_CONFIG_HOME: dataDir }
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        '--db',
        url,
        'anomalies',
        'resolve',
        String(gone.rows[0].id),
        '--action',
        'dismiss',
        '--remark',
        'seen',
      ],
      { env },
    )
    expect(stdout).toContain(`anomaly ${gone.rows[0].id}: dismissed`)
    const row = await desk.reads.pool.query('SELECT status, operator FROM anomalies WHERE id = $1', [
      gone.rows[0].id,
    ])
    expect(row.rows[0]).toEqual({ status: 'dismissed', operator: 'dora' })
  })

  it('`paysync sync --order` on a team database syncs there, with the team passphrase', async () => {
    there.gatewayOrder({ merchant: 'ali', orderNo: 'T-CLI', amount: 300, state: 'TRADE_SUCCESS' })
    await teamOrder('T-CLI', 300)
    const env = {
      ...process.env,
      NO_COLOR: '1',
      PAYSYNC_PASSPHRASE: TEAM,
      PAYSYNC_OPERATOR: 'bob',
      XDG_CONFIG_HOME: dataDir,
    }
    const { stdout } = await run(process.execPath, [BIN, '--db', url, 'sync', '--order', 'T-CLI'], { env })
    expect(stdout).toContain('synced 1 trade')
    expect(stdout).toContain('1 repaired')
    const rec = await desk.reads.pool.query(
      "SELECT outcome, operator, source FROM sync_records WHERE trade_no = 'T-CLI'",
    )
    expect(rec.rows).toEqual([{ outcome: 'repaired', operator: 'bob', source: 'manual' }])
    // No passphrase: one sentence, nothing asked.
    const { PAYSYNC_PASSPHRASE: _, ...bare } = env
    const locked = await run(process.execPath, [BIN, '--db', url, 'sync', '--order', 'T-CLI'], {
      env: bare,
    }).catch((e: { stderr: string; code: number }) => e)
    expect(locked).toMatchObject({ code: 1, stderr: expect.stringContaining('PAYSYNC_PASSPHRASE') })
  })

  it('the nightly `sync --pending` runs once per team: a second cron is told who runs it', async () => {
    const orders = ['N-1', 'N-2', 'N-3']
    for (const orderNo of orders) {
      there.gatewayOrder({ merchant: 'ali', orderNo, amount: 500, state: 'TRADE_SUCCESS' })
      await teamOrder(orderNo, 500)
    }
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_PASSPHRASE: TEAM, XDG_CONFIG_HOME: dataDir }
    const hold = there.sim.state.hold('N-2')
    const first = run(process.execPath, [BIN, '--db', url, 'sync', '--pending', '--json'], { env })
    await hold.reached
    const second = await run(process.execPath, [BIN, '--db', url, 'sync', '--pending', '--json'], { env })
    hold.release()
    expect(second.stderr).toContain('nightly pass of this database is running in another process')
    expect(JSON.parse(second.stdout)).toMatchObject({ total: 0 })
    const done = JSON.parse((await first).stdout) as { total: number; repaired: number }
    expect(done.repaired).toBeGreaterThanOrEqual(3)
    const recs = await desk.reads.pool.query(
      `SELECT trade_no, outcome, source FROM sync_records WHERE trade_no = ANY($1) ORDER BY trade_no`,
      [orders],
    )
    expect(recs.rows).toEqual(
      orders.map((trade_no) => ({ trade_no, outcome: 'repaired', source: 'schedule' })),
    )
    // The pass is a stored batch, which every desktop lists with its progress.
    const batch = await desk.reads.pool.query(
      "SELECT name, source, status, total FROM batches WHERE source = 'schedule' ORDER BY id DESC LIMIT 1",
    )
    expect(batch.rows[0]).toMatchObject({ name: 'sync --pending', source: 'schedule', status: 'done' })
    // Synced: nothing of them is pending for the next night.
    const left = await desk.reads.pool.query(
      "SELECT count(*)::int AS n FROM pay_orders WHERE order_no = ANY($1) AND status = 'progress'",
      [orders],
    )
    expect(left.rows[0].n).toBe(0)
  })
})
