import Database from 'better-sqlite3'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { runImport } from '../../src/main/services/imports'
import { addMerchant } from '../../src/main/services/merchants'
import { createBatchOf, runBatch } from '../../src/main/services/sync'
import { allTrades } from '../../src/main/services/trade-refs'
import { openStore } from '../../src/main/store/connection'
import { formatBeijing } from '../../src/shared/time'
import { rng, type Rng } from './prng'
import { tempDir } from './world'

// kill -9 at random points of a batch, many times over (issue 6, item 2). Each round imports a fresh
// set of trades on every channel, starts `paysync sync --pending` as a child process, kills it with
// SIGKILL once a randomly drawn share of the batch is done, sometimes kills one or two `batch resume`
// runs as well (at a random moment, from start-up to mid-batch), and finally resumes to the end.
// After every kill the database must open and be consistent as committed; after every round each
// item is finished exactly once with its own sync record, and every trade ends as an uninterrupted
// run on a separate database ends it, with as many repair records.

const BIN = path.resolve('bin/paysync.js')

interface Kind {
  key: string
  merchant: string
  /** The local pay order: a `progress` one is in the batch; a `success` one only carries a refund. */
  local: 'progress' | 'success'
  expired: boolean
  /** The gateway's word for the order; null: the gateway never heard of it. */
  gateway: string | null
  /** The gateway changes by itself after this many queries: the buyer pays while we look. */
  then?: { afterQueries: number; state: string }
  /** A progress refund of the order, and the gateway's word for it (null: not there). */
  refund?: { gateway: string | null }
}

const MERCHANTS = [
  { name: 'kl-ali', channel: 'alipay' as const },
  { name: 'kl-wx', channel: 'wechat' as const },
  { name: 'kl-up', channel: 'unionpay' as const },
  { name: 'kl-dax', channel: 'daxpay' as const },
]

// Every repair the tables make on these channels, each with a kill possibly between a gateway call
// (close) and the commit. DaxPay closes expired orders on its own side, so it gets none expired.
const KINDS: Kind[] = [
  { key: 'ali-paid', merchant: 'kl-ali', local: 'progress', expired: false, gateway: 'TRADE_SUCCESS' },
  {
    key: 'ali-unpaid-expired',
    merchant: 'kl-ali',
    local: 'progress',
    expired: true,
    gateway: 'WAIT_BUYER_PAY',
  },
  {
    key: 'ali-missing-expired',
    merchant: 'kl-ali',
    local: 'progress',
    expired: true,
    gateway: 'NOT_CREATED',
  },
  { key: 'ali-closed', merchant: 'kl-ali', local: 'progress', expired: false, gateway: 'TRADE_CLOSED' },
  {
    key: 'ali-pays-while-closing',
    merchant: 'kl-ali',
    local: 'progress',
    expired: true,
    gateway: 'WAIT_BUYER_PAY',
    then: { afterQueries: 1, state: 'TRADE_SUCCESS' },
  },
  {
    key: 'ali-refund-ok',
    merchant: 'kl-ali',
    local: 'success',
    expired: false,
    gateway: 'TRADE_SUCCESS',
    refund: { gateway: 'REFUND_SUCCESS' },
  },
  {
    key: 'ali-refund-missing',
    merchant: 'kl-ali',
    local: 'success',
    expired: false,
    gateway: 'TRADE_SUCCESS',
    refund: { gateway: null },
  },
  { key: 'wx-paid', merchant: 'kl-wx', local: 'progress', expired: false, gateway: 'SUCCESS' },
  { key: 'wx-unpaid-expired', merchant: 'kl-wx', local: 'progress', expired: true, gateway: 'NOTPAY' },
  { key: 'wx-failed', merchant: 'kl-wx', local: 'progress', expired: false, gateway: 'PAYERROR' },
  { key: 'wx-closed', merchant: 'kl-wx', local: 'progress', expired: false, gateway: 'CLOSED' },
  {
    key: 'wx-refund-ok',
    merchant: 'kl-wx',
    local: 'success',
    expired: false,
    gateway: 'SUCCESS',
    refund: { gateway: 'SUCCESS' },
  },
  { key: 'up-paid', merchant: 'kl-up', local: 'progress', expired: false, gateway: '00' },
  { key: 'up-unpaid-expired', merchant: 'kl-up', local: 'progress', expired: true, gateway: '03' },
  { key: 'up-failed', merchant: 'kl-up', local: 'progress', expired: false, gateway: '01' },
  { key: 'dax-paid', merchant: 'kl-dax', local: 'progress', expired: false, gateway: 'success' },
  { key: 'dax-closed', merchant: 'kl-dax', local: 'progress', expired: false, gateway: 'close' },
]

/** What an uninterrupted run does to a trade of one kind. */
interface Expected {
  payStatus: string
  refundStatus: string | null
  /** Repair rows of the pay order and of the refund, as `before>after`, sorted. */
  payRepairs: string[]
  refundRepairs: string[]
}

interface TradeOfRound {
  kind: Kind
  orderNo: string
  refundNo: string | null
}

export interface KillLoopOptions {
  rounds: number
  /** Trades of each kind per round. */
  copies: number
  seed: number
  /** Kill a `batch resume` too in every round (default: every other round, and by chance in the rest). */
  resumeKills?: boolean
  /** Resumes killed in one round at most (default 2). */
  maxResumeKills?: number
}

export interface KillLoopReport {
  rounds: number
  runnerKills: number
  resumeKills: number
  finishedBeforeKill: number
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function start(args: string[]): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const exit = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      // Wait for the pipes to drain, so the output is whole.
      child.once('close', () => resolve({ code, signal, stdout, stderr }))
    }),
  )
  return { child, exit }
}

function run(args: string[]): Promise<Exit> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number; signal?: NodeJS.Signals }) | null
      resolve({ code: e ? (e.code ?? -1) : 0, signal: e?.signal ?? null, stdout, stderr })
    })
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A bundle the killed process was writing is left half-made beside the real one: tidy it. */
function removeTmpBundle(pid: number | undefined): void {
  if (!pid) return
  fs.rmSync(path.resolve('out/node', `paysync.mjs.${pid}.tmp.mjs`), { force: true })
}

function csvFiles(dir: string, name: string, trades: TradeOfRound[], now: number) {
  const pay = ['orderNo,merchant,amountFen,status,expiredAt']
  const refund = ['orderNo,refundNo,merchant,refundAmountFen,createdAt']
  for (const t of trades) {
    pay.push(
      `${t.orderNo},${t.kind.merchant},100,${t.kind.local},${t.kind.expired ? '2020-01-01 00:00:00' : ''}`,
    )
    // An hour old: past the refund grace period, so a refund the gateway does not have is closed.
    if (t.refundNo)
      refund.push(`${t.orderNo},${t.refundNo},${t.kind.merchant},40,${formatBeijing(now - 3600_000)}`)
  }
  const payFile = path.join(dir, `${name}-pay.csv`)
  const refundFile = path.join(dir, `${name}-refund.csv`)
  fs.writeFileSync(payFile, pay.join('\n'))
  fs.writeFileSync(refundFile, refund.join('\n'))
  return { payFile, refundFile }
}

function seedGateway(sim: Simulator, trades: TradeOfRound[]): void {
  upsertOrders(
    sim.state,
    trades
      .filter((t) => t.kind.gateway !== null)
      .map((t) => ({
        merchant: t.kind.merchant,
        orderNo: t.orderNo,
        amount: 100,
        state: t.kind.gateway!,
        ...(t.kind.then ? { then: { ...t.kind.then } } : {}),
      })),
  )
  upsertRefunds(
    sim.state,
    trades
      .filter((t) => t.refundNo && t.kind.refund?.gateway)
      .map((t) => ({
        merchant: t.kind.merchant,
        orderNo: t.orderNo,
        refundNo: t.refundNo!,
        amount: 40,
        state: t.kind.refund!.gateway!,
      })),
  )
}

/** Local trades of a round, imported through the import service as a person's files would be. */
async function importRound(dbFile: string, dir: string, name: string, trades: TradeOfRound[]) {
  const ctx = new ServiceContext({ dbFile, transport: 'cli', operator: 'kill-loop' })
  try {
    const { payFile, refundFile } = csvFiles(dir, name, trades, Date.now())
    const pay = await runImport(ctx, { file: payFile, type: 'pay' })
    expect(pay.rejected, JSON.stringify(pay.errors)).toBe(0)
    if (trades.some((t) => t.refundNo)) {
      const refund = await runImport(ctx, { file: refundFile, type: 'refund' })
      expect(refund.rejected, JSON.stringify(refund.errors)).toBe(0)
    }
  } finally {
    await ctx.close()
  }
}

function tradesOf(prefix: string, copies: number): TradeOfRound[] {
  const trades: TradeOfRound[] = []
  KINDS.forEach((kind, k) => {
    for (let c = 0; c < copies; c++) {
      // Letters and digits only: UnionPay order ids allow nothing else.
      const orderNo = `${prefix}K${k}C${c}`
      trades.push({ kind, orderNo, refundNo: kind.refund ? `${orderNo}R` : null })
    }
  })
  return trades
}

interface TradeState {
  payStatus: string
  refundStatus: string | null
  payRepairs: string[]
  refundRepairs: string[]
}

function stateOf(db: Database.Database, t: TradeOfRound): TradeState {
  const pay = db.prepare('SELECT id, status FROM pay_orders WHERE order_no = ?').get(t.orderNo) as {
    id: number
    status: string
  }
  const refund = t.refundNo
    ? (db.prepare('SELECT id, status FROM refund_orders WHERE refund_no = ?').get(t.refundNo) as {
        id: number
        status: string
      })
    : null
  const repairs = (type: string, id: number) =>
    (
      db
        .prepare(
          'SELECT before_status, after_status FROM repair_records WHERE trade_type = ? AND trade_id = ?',
        )
        .all(type, id) as Array<{ before_status: string; after_status: string }>
    )
      .map((r) => `${r.before_status}>${r.after_status}`)
      .sort()
  return {
    payStatus: pay.status,
    refundStatus: refund?.status ?? null,
    payRepairs: repairs('pay', pay.id),
    refundRepairs: refund ? repairs('refund', refund.id) : [],
  }
}

/** One copy of each kind on a database of its own, synced once without interruption. */
async function reference(sim: Simulator, dir: string, profiles: Record<string, unknown>[]) {
  const dbFile = path.join(dir, 'reference.db')
  const ctx = new ServiceContext({ dbFile, transport: 'cli', operator: 'reference' })
  try {
    for (const p of profiles) await addMerchant(ctx, p)
  } finally {
    await ctx.close()
  }
  const trades = tradesOf('REF', 1)
  seedGateway(sim, trades)
  await importRound(dbFile, dir, 'reference', trades)
  const runCtx = new ServiceContext({ dbFile, transport: 'cli', operator: 'reference' })
  try {
    const final = await runBatch(
      runCtx,
      createBatchOf(runCtx, allTrades(runCtx, true), { concurrency: 2, qps: 500, source: 'schedule' }),
    )
    expect(final.counts.error, 'the uninterrupted reference run has no errors').toBe(0)
  } finally {
    await runCtx.close()
  }
  const db = new Database(dbFile, { readonly: true })
  const expected = new Map<string, Expected>()
  for (const t of trades) expected.set(t.kind.key, stateOf(db, t))
  db.close()
  // The reference itself must show the repairs the tables promise, or every comparison is hollow.
  expect(expected.get('ali-paid')).toMatchObject({ payStatus: 'success', payRepairs: ['progress>success'] })
  expect(expected.get('ali-unpaid-expired')).toMatchObject({ payStatus: 'close' })
  expect(expected.get('ali-pays-while-closing')).toMatchObject({ payStatus: 'success' })
  expect(expected.get('wx-refund-ok')).toMatchObject({
    refundStatus: 'success',
    refundRepairs: ['progress>success'],
  })
  expect(expected.get('ali-refund-missing')).toMatchObject({ refundStatus: 'close' })
  return expected
}

/**
 * What must hold at any committed moment, so also right after a kill: the database opens (through
 * the program's own opener, with its schema checks) and is whole; every finished item points at its
 * own sync record; every repair is linked to the record that made it; every order that left
 * `progress` has the repair that moved it.
 */
function checkCommittedState(dbFile: string, batchId: number, trades: TradeOfRound[], when: string): void {
  const db = openStore(dbFile)
  try {
    expect(db.pragma('quick_check', { simple: true }), `quick_check ${when}`).toBe('ok')
    const orphanItems = db
      .prepare(
        `SELECT i.id FROM batch_items i LEFT JOIN sync_records s ON s.id = i.sync_record_id
         WHERE i.batch_id = ? AND i.state = 'done'
           AND (s.id IS NULL OR s.trade_type <> i.trade_type OR s.trade_id <> i.trade_id)`,
      )
      .all(batchId)
    expect(orphanItems, `finished items without their sync record ${when}`).toEqual([])
    const unlinked = db
      .prepare(
        `SELECT r.id FROM repair_records r LEFT JOIN sync_records s ON s.id = r.sync_record_id
         WHERE s.id IS NULL OR s.repair_no IS NOT r.repair_no`,
      )
      .all()
    expect(unlinked, `repairs without the sync record that made them ${when}`).toEqual([])
    for (const t of trades) {
      const s = stateOf(db, t)
      if (t.kind.local === 'progress' && s.payStatus !== 'progress')
        expect(s.payRepairs, `${t.orderNo} (${t.kind.key}) changed without a repair ${when}`).toContain(
          `progress>${s.payStatus}`,
        )
    }
  } finally {
    db.close()
  }
}

/** Done items of the batch, read by a second connection while the child writes. */
function doneCounter(dbFile: string) {
  const reader = new Database(dbFile, { readonly: true })
  return {
    latestBatch(): number {
      return (reader.prepare('SELECT coalesce(max(id), 0) AS id FROM batches').get() as { id: number }).id
    },
    done(batchId: number): number {
      return (
        reader
          .prepare("SELECT count(*) AS n FROM batch_items WHERE batch_id = ? AND state = 'done'")
          .get(batchId) as { n: number }
      ).n
    },
    close: () => reader.close(),
  }
}

/**
 * Kills `child` once `ready()` says so, or lets it be when it ends on its own first. Returns whether
 * the kill landed (the process was still running).
 */
async function killWhen(
  p: { child: ChildProcess; exit: Promise<Exit> },
  ready: () => boolean,
  extraDelayMs: number,
): Promise<{ killed: boolean; exit: Exit }> {
  let ended = false
  void p.exit.then(() => (ended = true))
  // A hang guard, not a timing: a healthy child reaches any point of a round in seconds.
  let t = 0
  for (; t < 6000 && !ended && !ready(); t++) await sleep(10)
  if (t === 6000) {
    p.child.kill('SIGKILL')
    throw new Error(`a paysync run made no progress in a minute: ${(await p.exit).stderr}`)
  }
  if (!ended && extraDelayMs > 0) await sleep(extraDelayMs)
  const killed = !ended && p.child.kill('SIGKILL')
  const exit = await p.exit
  if (killed) removeTmpBundle(p.child.pid)
  return { killed: killed && exit.signal === 'SIGKILL', exit }
}

async function oneRound(
  r: Rng,
  round: number,
  ctx: { sim: Simulator; dir: string; dbFile: string; copies: number; expected: Map<string, Expected> },
  report: KillLoopReport,
  resumeKills: boolean,
  maxResumeKills: number,
): Promise<void> {
  const { sim, dir, dbFile } = ctx
  const trades = tradesOf(`R${round}S${r.seed % 10000}`, ctx.copies)
  seedGateway(sim, trades)
  await importRound(dbFile, dir, `round${round}`, trades)
  const items =
    trades.filter((t) => t.kind.local === 'progress').length + trades.filter((t) => t.refundNo).length
  const closesBefore = sim.state.stats.closes
  const began = Date.now()
  const story: string[] = []

  const counter = doneCounter(dbFile)
  try {
    const previous = counter.latestBatch()
    // The runner: killed once a drawn share of its batch is done (from none to nearly all).
    const target = r.int(items)
    const runner = start([
      '--db',
      dbFile,
      'sync',
      '--pending',
      '--concurrency',
      '2',
      '--qps',
      '500',
      '--json',
    ])
    let batchId = 0
    const first = await killWhen(
      runner,
      () => {
        if (!batchId && counter.latestBatch() > previous) batchId = counter.latestBatch()
        return batchId > 0 && counter.done(batchId) >= target
      },
      r.int(60),
    )
    if (!batchId) batchId = counter.latestBatch()
    expect(batchId, `round ${round}: the runner created its batch (${first.exit.stderr})`).toBeGreaterThan(
      previous,
    )
    story.push(first.killed ? `runner killed at ${counter.done(batchId)}/${items}` : 'runner finished first')
    if (first.killed) report.runnerKills += 1
    else {
      report.finishedBeforeKill += 1
      expect(first.exit.code, first.exit.stderr).toBe(0)
    }
    checkCommittedState(dbFile, batchId, trades, `after the runner's kill in round ${round}`)

    // Some rounds kill a resume too, once or twice: at a random moment from start-up (opening the
    // database, claiming the batch) to mid-batch.
    const resumes = resumeKills ? r.range(1, maxResumeKills) : r.chance(0.3) ? 1 : 0
    for (let k = 0; k < resumes && counter.done(batchId) < items; k++) {
      const doneBefore = counter.done(batchId)
      const early = r.chance(0.35)
      const bootMs = r.int(1500)
      const more = 1 + r.int(Math.max(1, items - doneBefore - 1))
      const startedAt = Date.now()
      const resume = start(['--db', dbFile, 'batch', 'resume', String(batchId), '--json'])
      const killed = await killWhen(
        resume,
        () => (early ? Date.now() - startedAt >= bootMs : counter.done(batchId) >= doneBefore + more),
        early ? 0 : r.int(60),
      )
      story.push(
        killed.killed
          ? `resume killed ${early ? `${bootMs} ms after start` : 'mid-batch'} at ${counter.done(batchId)}/${items}`
          : 'resume finished first',
      )
      if (killed.killed) report.resumeKills += 1
      else expect(killed.exit.code, killed.exit.stderr).toBe(0)
      checkCommittedState(dbFile, batchId, trades, `after a resume's kill in round ${round}`)
    }

    // Then to the end, undisturbed.
    const show = JSON.parse((await run(['--db', dbFile, 'batch', 'show', String(batchId), '--json'])).stdout)
    if (show.status !== 'done') {
      expect(show.status, `round ${round}: a killed batch reads as interrupted`).toBe('interrupted')
      const last = await run(['--db', dbFile, 'batch', 'resume', String(batchId), '--json'])
      expect(last.code, last.stderr).toBe(0)
      const summary = JSON.parse(last.stdout)
      expect(summary).toMatchObject({ batchId, total: items, errors: 0 })
    }
  } finally {
    counter.close()
  }
  checkRound(dbFile, trades, items, round, ctx.expected)
  console.log(`kill loop round ${round} (${Date.now() - began} ms): ${story.join(', ')}`)
  // A close is never sent twice for one order: after a close the gateway answers closed, and the
  // order is closed locally without another close.
  const needClose = trades.filter((t) => t.kind.expired && t.kind.merchant !== 'kl-up').length
  expect(sim.state.stats.closes - closesBefore).toBeLessThanOrEqual(needClose)
}

function checkRound(
  dbFile: string,
  trades: TradeOfRound[],
  items: number,
  round: number,
  expected: Map<string, Expected>,
): void {
  const db = openStore(dbFile)
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])
    const batchId = (db.prepare('SELECT max(id) AS id FROM batches').get() as { id: number }).id
    const batch = db.prepare('SELECT status, total FROM batches WHERE id = ?').get(batchId) as {
      status: string
      total: number
    }
    expect(batch).toEqual({ status: 'done', total: items })
    // Every item finished exactly once: one record that is not a lock conflict per trade in this
    // batch, and it is the item's own; nothing was synced after its item was finished.
    const perItem = db
      .prepare(
        `SELECT i.id, i.state, i.sync_record_id AS own,
           (SELECT count(*) FROM sync_records s WHERE s.batch_id = i.batch_id AND s.trade_type = i.trade_type
              AND s.trade_id = i.trade_id AND s.outcome <> 'skipped') AS synced,
           (SELECT max(s.id) FROM sync_records s WHERE s.batch_id = i.batch_id AND s.trade_type = i.trade_type
              AND s.trade_id = i.trade_id) AS last
         FROM batch_items i WHERE i.batch_id = ?`,
      )
      .all(batchId) as Array<{ id: number; state: string; own: number | null; synced: number; last: number }>
    expect(perItem).toHaveLength(items)
    for (const i of perItem) {
      expect(i.state, `round ${round} item ${i.id}`).toBe('done')
      expect(i.synced, `round ${round} item ${i.id}: synced once`).toBe(1)
      expect(i.last, `round ${round} item ${i.id}: nothing synced after it finished`).toBe(i.own)
    }
    // Only one process ran the batch at a time, so no attempt met a lease (a dead runner's is broken).
    const conflicts = db
      .prepare(
        "SELECT error_code, count(*) AS n FROM sync_records WHERE batch_id = ? AND outcome = 'skipped' GROUP BY 1",
      )
      .all(batchId)
    expect(conflicts, `round ${round}: lock conflicts in a batch nobody else ran`).toEqual([])
    // The gateway's text of every record is kept.
    const bodiless = db
      .prepare(
        `SELECT s.id FROM sync_records s LEFT JOIN sync_record_bodies b ON b.record_id = s.id
         WHERE s.batch_id = ? AND (b.record_id IS NULL OR b.sync_info IS NULL)`,
      )
      .all(batchId)
    expect(bodiless, `round ${round}: records without the gateway's answer`).toEqual([])
    expect(db.prepare('SELECT trade_key, owner FROM trade_leases').all(), 'no lease is left behind').toEqual(
      [],
    )
    for (const t of trades) {
      expect(stateOf(db, t), `round ${round}: ${t.orderNo} (${t.kind.key})`).toEqual(expected.get(t.kind.key))
    }
  } finally {
    db.close()
  }
}

export async function runKillLoop(options: KillLoopOptions): Promise<KillLoopReport> {
  const r = rng(options.seed)
  const dir = tempDir('paysync-kill-')
  const sim = await startSimulator({ scenario: { merchants: MERCHANTS, orders: [], refunds: [] } })
  const report: KillLoopReport = { rounds: 0, runnerKills: 0, resumeKills: 0, finishedBeforeKill: 0 }
  try {
    const profiles = sim.profiles()
    const expected = await reference(sim, dir, profiles)
    const dbFile = path.join(dir, 'kill.db')
    const setup = new ServiceContext({ dbFile, transport: 'cli', operator: 'kill-loop' })
    try {
      for (const p of profiles) await addMerchant(setup, p)
    } finally {
      await setup.close()
    }
    // Calls take long enough for a kill to land between a gateway's answer and the commit.
    sim.state.faults = { ...sim.state.faults, latencyMs: 60, jitterMs: 60 }
    for (let round = 1; round <= options.rounds; round++) {
      await oneRound(
        r,
        round,
        { sim, dir, dbFile, copies: options.copies, expected },
        report,
        options.resumeKills ?? round % 2 === 0,
        options.maxResumeKills ?? 2,
      )
      report.rounds += 1
    }
    return report
  } catch (err) {
    console.error(`kill loop failed with seed ${options.seed} (replay with KILL_SEED=${options.seed})`)
    throw err
  } finally {
    await sim.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
