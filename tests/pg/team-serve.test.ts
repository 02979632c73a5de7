import { execFile, spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName } from '../../src/shared/contract'
import { copyDatabase } from '../../src/main/services/db-copy'
import { TEAM_OPERATIONS } from '../../src/main/services/team-operations'
import { alipayBillZip } from '../../src/main/gateways/simulator/bills/alipay'
import { ALIPAY_PID } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, screensStub, tempDir, type World } from '../helpers/world'
import pg from 'pg'

// `paysync serve --db postgres://…` (docs/team-mode.md B8.13): two desktops serve one team database.
// A batch started in one window runs there, each trade synced once, and the other window hears of it
// (LISTEN store_changed) without asking; the overview, the lists and the merchants read the team's
// books; a step not yet written for PostgreSQL is refused in one sentence that names it.

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const execRun = promisify(execFile)

interface Served {
  url: string
  token: string
  child: ChildProcess
  /** Every event the page's stream has brought so far. */
  events: Array<{ event: EventName; payload: Record<string, unknown> }>
  stopStream: () => void
}

describe.skipIf(pgMissing())('paysync serve on a team database', () => {
  let world: World
  let url: string
  let pool: pg.Pool
  const dir = tempDir('paysync-team-serve-')
  const served: Served[] = []

  async function serve(operator: string, o: { schedules?: boolean } = {}): Promise<Served> {
    const home = tempDir(`paysync-team-serve-${operator}-`)
    // Without the schedules unless asked: their passes would take the batch's trades too, each under
    // its lease (tests/pg/team-schedules.test.ts); there every sync record is the batch's.
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--db',
        url,
        '--json',
        'serve',
        ...(o.schedules ? [] : ['--no-schedules']),
        '--print-token',
        '--renderer',
        screensStub(dir),
      ],
      {
        env: {
          ...process.env,
          PAYSYNC_PASSPHRASE: TEAM,
          PAYSYNC_OPERATOR: operator,
          HOME: home,
          XDG_CONFIG_HOME: home,
          PAYSYNC_DB: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const first = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve)
      child.once('exit', (code) => reject(new Error(`serve ended (${code}): ${stderr}`)))
    })
    const started = JSON.parse(first) as { url: string; token: string; db: string }
    expect(started.db).not.toContain(TEAM)
    const s: Served = { url: started.url, token: started.token, child, events: [], stopStream: () => {} }
    served.push(s)
    return s
  }

  async function call<T = Record<string, unknown>>(s: Served, op: string, input: unknown = {}): Promise<T> {
    const r = await fetch(`${s.url}/api/${op}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    })
    const body = (await r.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } }
    if (!body.ok) throw Object.assign(new Error(body.error!.message), body.error)
    return body.value as T
  }

  /** The page's event stream, as the window holds it open. */
  async function listen(s: Served): Promise<void> {
    const controller = new AbortController()
    const r = await fetch(`${s.url}/api/events`, {
      headers: { authorization: `Bearer ${s.token}` },
      signal: controller.signal,
    })
    s.stopStream = () => controller.abort()
    void (async () => {
      let text = ''
      try {
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          text += Buffer.from(chunk).toString()
          let end: number
          while ((end = text.indexOf('\n\n')) >= 0) {
            const line = text.slice(0, end)
            text = text.slice(end + 2)
            if (line.startsWith('data: ')) s.events.push(JSON.parse(line.slice(6)))
          }
        }
      } catch {
        // The stream was closed by the test.
      }
    })()
  }

  /** Pay orders in progress here that the gateway has paid: each one's sync is one repair. */
  async function paidOrders(prefix: string, n: number): Promise<number[]> {
    const ids: number[] = []
    for (let i = 0; i < n; i++) {
      const orderNo = `${prefix}-${String(i).padStart(3, '0')}`
      world.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
      const { rows } = await pool.query(
        `INSERT INTO pay_orders (merchant_id, order_no, biz_order_no, amount, refundable_amount, status, channel,
           created_at, updated_at, expired_at, next_sync_at)
         SELECT id, $1, $1, 100, 0, 'progress', channel, $2::bigint, $2::bigint, $2::bigint + 3600000, $2::bigint
           FROM merchants WHERE name = 'ali' RETURNING id`,
        [orderNo, Date.now()],
      )
      ids.push(Number(rows[0].id))
    }
    return ids
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    url = await freshDatabase()
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    pool = new pg.Pool({ connectionString: url, max: 2 })
  }, 60_000)

  afterAll(async () => {
    for (const s of served) {
      s.stopStream()
      const gone = new Promise((resolve) => s.child.once('exit', resolve))
      s.child.kill('SIGTERM')
      await gone
    }
    await pool?.end()
    await world?.close()
  })

  it('two desktops serve it: a batch run in one window is followed live in the other, each trade once', async () => {
    const [amy, bob] = await Promise.all([serve('amy'), serve('bob')])
    const info = await call<{ team: string; dbFile: string; keyStore: { needsPassphrase: boolean } }>(
      amy,
      'app.info',
    )
    expect(info.team).toMatch(/^127\.0\.0\.1:\d+\/\w+$/)
    expect(info.keyStore.needsPassphrase).toBe(false)
    expect(await call(bob, 'merchants.list')).toEqual([expect.objectContaining({ name: 'ali' })])

    await listen(amy)
    await listen(bob)
    const ids = await paidOrders('SRV', 30)
    world.sim.state.faults.latencyMs = 20
    const batch = await call<{ id: number }>(amy, 'batches.start', {
      type: 'pay',
      ids,
      name: 'from amy',
      concurrency: 4,
      qps: 50,
    })
    // Amy's window hears her own run's progress, to its end.
    await expect
      .poll(() => amy.events.some((e) => e.event === 'batch.progress' && e.payload.status === 'done'), {
        timeout: 60_000,
      })
      .toBe(true)
    // Bob's hears of it from the team database, without asking: the batch and its records moved.
    await expect
      .poll(
        () =>
          bob.events.some(
            (e) =>
              e.event === 'store.changed' &&
              (e.payload.topics as string[]).includes('batches') &&
              (e.payload.batches as Array<{ id: number }>).some((b) => b.id === batch.id),
          ),
        { timeout: 20_000 },
      )
      .toBe(true)
    await expect
      .poll(
        async () => (await call<{ status: string; done: number }>(bob, 'batches.get', { id: batch.id })).done,
        { timeout: 20_000 },
      )
      .toBe(30)
    const { rows } = await pool.query(
      `SELECT count(*)::int AS records, count(DISTINCT trade_id)::int AS trades,
              sum(CASE WHEN outcome = 'repaired' THEN 1 ELSE 0 END)::int AS repaired
         FROM sync_records WHERE batch_id = $1`,
      [batch.id],
    )
    expect(rows[0]).toEqual({ records: 30, trades: 30, repaired: 30 })
    const items = await call<{ total: number; items: Array<{ tradeNo: string; outcome: string }> }>(
      bob,
      'batches.items',
      { id: batch.id, limit: 50 },
    )
    expect(items.total).toBe(30)
    expect(items.items[0]).toMatchObject({ tradeNo: 'SRV-000', outcome: 'repaired' })

    // The lists and the overview read the team's books; the records name who started the batch.
    const records = await call<{ total: number }>(bob, 'records.list', { batchId: batch.id })
    expect(records.total).toBe(30)
    const overview = await call<{ today: { syncs: number }; merchants: unknown[] }>(bob, 'overview.get')
    expect(overview.today.syncs).toBeGreaterThanOrEqual(30)
    expect(overview.merchants).toHaveLength(1)
    const started = await pool.query(
      "SELECT operator FROM audit_log WHERE action = 'batch_started' AND target = $1",
      [`batch:${batch.id}`],
    )
    expect(started.rows).toEqual([{ operator: 'amy' }])
  }, 120_000)

  it('exports download from this computer, an uploaded bill is reconciled there, an unwritten step is refused', async () => {
    const [amy] = served
    const exported = await call<{ rows: number; downloadPath: string; file: string }>(amy!, 'export.run', {
      kind: 'records',
      filter: {},
    })
    expect(exported.rows).toBeGreaterThanOrEqual(30)
    const file = await fetch(`${amy!.url}${exported.downloadPath}`, {
      headers: { authorization: `Bearer ${amy!.token}` },
    })
    expect(file.status).toBe(200)
    const text = await file.text()
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(exported.rows + 1)

    // A batch of what a list's filter shows, read from the team database.
    const filtered = await call<{ id: number; total: number }>(amy!, 'batches.start', {
      type: 'pay',
      filter: { no: 'SRV-00' },
      name: 'filtered',
    })
    expect(filtered.total).toBe(10)

    // The team's settings are shared; the operator stays each desktop's own.
    const [, bob] = served
    await call(amy!, 'settings.set', { defaultQps: 33, operatorName: 'not the team' })
    expect(await call(bob!, 'settings.get')).toMatchObject({ defaultQps: 33, operatorName: '' })

    // A bill uploaded by one window is reconciled on the team database; the other lists its statement.
    const date = '2026-10-03'
    const bill = alipayBillZip({
      pid: ALIPAY_PID,
      date,
      exportedAt: bj(`${date} 23:59:59`),
      rows: [{ kind: 'pay', orderNo: 'NOT-HERE-1', amount: 700, time: bj(`${date} 11:40:00`) }],
    })
    const upload = await call<{ file: string }>(amy!, 'files.upload', {
      name: bill.name,
      contentBase64: bill.zip.toString('base64'),
    })
    const ran = await call<{ statementId: number; result: string; diffs: Record<string, number> }>(
      amy!,
      'statements.reconcile',
      { merchant: 'ali', date, file: upload.file, dryRun: true },
    )
    expect(ran.result).toBe('unbalanced')
    expect(amy!.events.some((e) => e.event === 'statement.progress')).toBe(true)
    const listed = await call<{ items: Array<{ id: number; billDate: string }> }>(bob!, 'statements.list', {})
    expect(listed.items).toContainEqual(expect.objectContaining({ id: ran.statementId, billDate: date }))

    // A key-store switch is a file's: a team's key is its passphrase or key file (docs/team-mode.md B8.7).
    const refused = await call(amy!, 'keys.setHeadless', {}).catch(
      (err: { code: string; message: string }) => err,
    )
    expect(refused).toMatchObject({ code: 'conflict' })
    expect((refused as { message: string }).message).toMatch(
      /^this step is a desktop database file's own \(keys\.setHeadless\), not a team database's/,
    )
    expect(TEAM_OPERATIONS).toEqual(
      expect.arrayContaining(['records.list', 'batches.start', 'export.run', 'merchants.add']),
    )
    expect(TEAM_OPERATIONS).not.toContain('keys.setHeadless')
  })

  // The whole (docs/team-mode.md B8.13): two windows with their schedules on and the cron's
  // nightly pass work the same merchant's trades at once.
  it('two windows and a cron on one team database: each trade repaired once, one nightly pass, both follow', async () => {
    const [cara, dan] = await Promise.all([
      serve('cara', { schedules: true }),
      serve('dan', { schedules: true }),
    ])
    await listen(cara)
    await listen(dan)
    world.sim.state.faults.latencyMs = 20
    const ids = await paidOrders('ALL', 60)
    const env = {
      ...process.env,
      NO_COLOR: '1',
      PAYSYNC_PASSPHRASE: TEAM,
      PAYSYNC_OPERATOR: 'cron',
      XDG_CONFIG_HOME: dir,
    }
    const cron = () =>
      execRun(process.execPath, [BIN, '--db', url, 'sync', '--pending', '--json'], { env, timeout: 120_000 })

    // The nightly pass, held at the gateway on a trade no batch takes while a second cron starts.
    const hold = world.sim.state.hold('ALL-059')
    const nightly = cron()
    const batch = await call<{ id: number }>(cara, 'batches.start', {
      type: 'pay',
      ids: ids.slice(0, 40),
      name: 'from cara',
      concurrency: 4,
      qps: 50,
    })
    await call(dan, 'batches.resume', { id: batch.id })
    await hold.reached
    const second = await cron()
    expect(second.stderr).toContain('nightly pass of this database is running in another process')
    expect(JSON.parse(second.stdout)).toMatchObject({ total: 0 })
    hold.release()
    await nightly

    // Both windows follow the batch to its end: cara's own run, dan's as a runner or from the team database.
    await expect
      .poll(async () => (await call<{ status: string }>(dan, 'batches.get', { id: batch.id })).status, {
        timeout: 60_000,
      })
      .toBe('done')
    await expect
      .poll(
        () =>
          cara.events.some(
            (e) =>
              e.event === 'batch.progress' && e.payload.batchId === batch.id && e.payload.status === 'done',
          ),
        { timeout: 20_000 },
      )
      .toBe(true)
    expect(
      dan.events.some(
        (e) =>
          (e.event === 'batch.progress' && e.payload.batchId === batch.id) ||
          (e.event === 'store.changed' &&
            ((e.payload.batches ?? []) as Array<{ id: number }>).some((b) => b.id === batch.id)),
      ),
    ).toBe(true)

    // Whoever synced each trade, it was repaired once and nothing ended in error.
    await expect
      .poll(
        async () =>
          (
            await pool.query(
              "SELECT count(*)::int AS n FROM pay_orders WHERE order_no LIKE 'ALL-%' AND status = 'progress'",
            )
          ).rows[0].n,
        { timeout: 60_000 },
      )
      .toBe(0)
    const { rows } = await pool.query(
      `SELECT o.order_no,
              (SELECT count(*)::int FROM repair_records r WHERE r.trade_type = 'pay' AND r.trade_id = o.id) AS repairs
         FROM pay_orders o WHERE o.order_no LIKE 'ALL-%' ORDER BY o.order_no`,
    )
    expect(rows).toEqual(ids.map((_, i) => ({ order_no: `ALL-${String(i).padStart(3, '0')}`, repairs: 1 })))
    const errors = await pool.query(
      "SELECT count(*)::int AS n FROM sync_records WHERE trade_no LIKE 'ALL-%' AND outcome = 'error'",
    )
    expect(errors.rows[0].n).toBe(0)
    // Each named: the batch started by cara and joined by dan.
    const audit = await pool.query('SELECT operator, action FROM audit_log WHERE target = $1 ORDER BY id', [
      `batch:${batch.id}`,
    ])
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { operator: 'cara', action: 'batch_started' },
        { operator: 'dan', action: 'batch_resumed' },
      ]),
    )
  }, 180_000)
})
