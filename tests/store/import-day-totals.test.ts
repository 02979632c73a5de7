import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { importFile } from '../../src/main/files/import/importer'
import { openStore, type Db } from '../../src/main/store/connection'
import { DayTally, withGroupedDayTotals } from '../../src/main/store/import-day-totals'
import { insertPayOrder, insertPayOrderIfNew, type NewPayOrder } from '../../src/main/store/orders'
import { createWorld, type World } from '../helpers/world'

// An import's transactions add their rows' day totals with one grouped upsert instead of the insert
// trigger (store/import-day-totals.ts): the kept totals stay those of a recount from the rows, after an
// import, after one that failed mid-way and after a process killed mid-import, and the trigger is
// there again for every other writer.

const DAY = '(created_at + 28800000) / 86400000'
const kept = (db: Db, days: string) =>
  db.prepare(`SELECT * FROM ${days} WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5`).all()
const recount = (db: Db, table: string) =>
  db
    .prepare(
      `SELECT ${DAY} AS day, merchant_id, channel, status, ifnull(last_sync_outcome, '') AS outcome,
              count(*) AS n, sum(amount) AS amount
       FROM ${table} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )
    .all()
const triggers = (db: Db) =>
  db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%kept_insert' ORDER BY 1")
    .pluck()
    .all()
const count = (db: Db) => (db.prepare('SELECT count(*) AS n FROM pay_orders').get() as { n: number }).n

function writePayList(file: string, n: number, from = 0): void {
  const lines = ['orderNo,merchant,amountYuan,status,title,createdAt']
  for (let i = from; i < from + n; i++)
    lines.push(
      `G${i},${i % 3 ? 'ali' : 'wx'},${(i % 700) + 5}.10,${['progress', '成功', '关闭'][i % 3]},t,2026-11-${(i % 27) + 1} ${String(i % 24).padStart(2, '0')}:30:00`,
    )
  fs.writeFileSync(file, lines.join('\n') + '\n')
}

let worlds: World[] = []
afterEach(async () => {
  for (const w of worlds) await w.close()
  worlds = []
})
async function world(): Promise<World> {
  const w = await createWorld({
    merchants: [
      { name: 'ali', channel: 'alipay' },
      { name: 'wx', channel: 'wechat' },
    ],
  })
  worlds.push(w)
  return w
}

describe('day totals of an import, grouped per transaction', () => {
  it('match a recount of the rows after pay and refund lists, the trigger in place for other writers', async () => {
    const w = await world()
    // Orders already there, written through the trigger, and the import's own on top.
    w.payOrder({ merchant: 'ali', orderNo: 'G5', amount: 910, createdAt: Date.parse('2026-11-06T02:30:00Z') })
    const pays = path.join(w.dir, 'pays.csv')
    writePayList(pays, 3_000)
    const s = await importFile(w.ctx.db, pays, { type: 'pay' })
    expect(s.inserted).toBe(2_999)
    const refunds = path.join(w.dir, 'refunds.csv')
    fs.writeFileSync(
      refunds,
      'refundNo,orderNo,merchant,refundAmountFen,status,createdAt\n' +
        Array.from(
          { length: 300 },
          (_, i) =>
            `R${i},G${3 * i + 1},ali,${i + 1},${i % 2 ? 'progress' : 'success'},2026-11-${(i % 9) + 10} 08:00:00`,
        ).join('\n') +
        '\n',
    )
    const r = await importFile(w.ctx.db, refunds, { type: 'refund' })
    expect(r.errors).toEqual([])
    expect(r.inserted).toBe(300)
    expect(kept(w.ctx.db, 'pay_order_days')).toEqual(recount(w.ctx.db, 'pay_orders'))
    expect(kept(w.ctx.db, 'refund_order_days')).toEqual(recount(w.ctx.db, 'refund_orders'))
    expect(triggers(w.ctx.db)).toEqual([
      'anomalies_kept_insert',
      'pay_orders_kept_insert',
      'refund_orders_kept_insert',
      'repair_records_kept_insert',
      'sync_records_kept_insert',
    ])
    // A write after the import is kept by the trigger again.
    w.payOrder({ merchant: 'wx', orderNo: 'late', amount: 5, createdAt: Date.parse('2026-12-01T00:00:00Z') })
    expect(kept(w.ctx.db, 'pay_order_days')).toEqual(recount(w.ctx.db, 'pay_orders'))
  })

  it('come from the tally when it saw every new row, else from a recount of them', async () => {
    const w = await world()
    const tally = new DayTally()
    const order = (no: string, createdAt: number, amount: number): NewPayOrder => ({
      orderNo: no,
      bizOrderNo: no,
      gatewayTradeNo: null,
      merchantId: w.merchantId('ali'),
      channel: 'alipay',
      kind: 'pay',
      title: '',
      amount,
      status: 'progress',
      createdAt,
      expiredAt: null,
      paidAt: null,
      importId: null,
    })
    // Before 1970 in Beijing too: SQLite's division truncates, the tally's must as well.
    const times = [
      Date.parse('2026-11-03T15:59:59Z'),
      Date.parse('2026-11-03T16:00:00Z'),
      -86_400_000 * 3 - 1,
    ]
    w.ctx.db.transaction(() =>
      withGroupedDayTotals(w.ctx.db, 'pay_orders', tally, () => {
        times.forEach((t, i) => insertPayOrderIfNew(w.ctx.db, order(`T${i}`, t, 100 + i), 1, tally))
        expect(insertPayOrderIfNew(w.ctx.db, order('T0', times[0]!, 1), 1, tally)).toBeNull()
        expect(tally.n).toBe(3)
      }),
    )()
    expect(tally.n).toBe(0)
    expect(kept(w.ctx.db, 'pay_order_days')).toEqual(recount(w.ctx.db, 'pay_orders'))
    // A row inserted past the tally: the transaction's rows are recounted instead.
    w.ctx.db.transaction(() =>
      withGroupedDayTotals(w.ctx.db, 'pay_orders', tally, () => {
        insertPayOrderIfNew(w.ctx.db, order('U1', times[1]!, 7), 1, tally)
        insertPayOrder(w.ctx.db, order('U2', times[2]!, 9), 1)
      }),
    )()
    expect(kept(w.ctx.db, 'pay_order_days')).toEqual(recount(w.ctx.db, 'pay_orders'))
    tally.add(times[0]!, 1, 'alipay', 'progress', 1.5)
    expect(tally.take(1)).toBeNull()
    tally.add(times[0]!, 1, 'alipay', 'progress', 2)
    expect(tally.take(2)).toBeNull()
    tally.add(times[0]!, 1, 'alipay', 'progress', 2)
    tally.add(times[0]!, 1, 'alipay', 'progress', 3)
    expect(tally.take(2)).toEqual([
      { day: 20760, merchantId: 1, channel: 'alipay', status: 'progress', n: 2, amount: 5 },
    ])
  })

  it('roll back with a transaction that fails, leaving the totals of what was committed', async () => {
    const w = await world()
    const file = path.join(w.dir, 'pays.csv')
    writePayList(file, 6_000)
    let seen = 0
    await expect(
      importFile(w.ctx.db, file, {
        type: 'pay',
        deferIndexesFrom: 0,
        onTrade: () => {
          if (++seen === 4_500) throw new Error('disk gone')
        },
      }),
    ).rejects.toThrow('disk gone')
    expect(count(w.ctx.db)).toBeLessThan(4_500)
    expect(kept(w.ctx.db, 'pay_order_days')).toEqual(recount(w.ctx.db, 'pay_orders'))
    expect(triggers(w.ctx.db)).toContain('pay_orders_kept_insert')
    // Outside a transaction the trigger is never dropped.
    expect(() => withGroupedDayTotals(w.ctx.db, 'pay_orders', null, () => 0)).toThrow('inside a transaction')
  })

  it('stay those of the rows when the importing process is killed mid-import', async () => {
    const w = await world()
    const file = path.join(w.dir, 'pays.csv')
    writePayList(file, 300_000)
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.resolve('tests/helpers/import-child.ts'), w.dbFile, file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
    // After the first commit, at a moment inside a later transaction.
    for await (const line of readline.createInterface({ input: child.stdout })) {
      expect(line).not.toBe('done')
      setTimeout(() => child.kill('SIGKILL'), 30)
      break
    }
    expect(await exited).toBe('SIGKILL')
    const db = openStore(w.dbFile)
    try {
      const n = count(db)
      expect(n).toBeGreaterThan(0)
      expect(n).toBeLessThan(300_000)
      expect(kept(db, 'pay_order_days')).toEqual(recount(db, 'pay_orders'))
      expect(triggers(db)).toContain('pay_orders_kept_insert')
    } finally {
      db.close()
    }
  }, 120_000)
})
