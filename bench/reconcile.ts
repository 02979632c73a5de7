import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { packageRoot } from '../src/main/server/root'
import { ServiceContext } from '../src/main/services/context'
import { insertMerchant } from '../src/main/store/merchants'
import { parseBeijing } from '../src/shared/time'
import { LARGE_BILL_DATE, writeLargeAlipayZip, writeLargeWechatBill } from './bill-files'
import { figure, type Figure } from './figures'

// Reconciliation of a large day (issue 12, item 10; docs/reconcile.md A11 and A17 test 24): a
// WeChat bill and an Alipay zip of n lines each, reconciled as an uploaded file against books that
// hold the day's trades: copied and hashed, parsed, checked against its own totals, stored, matched
// and classified, without syncs (a dry run). Each in a process of its own, so its peak memory is its
// own. Goals: at least 50 000 lines a second, at most 250 MB.

const run = promisify(execFile)
const ROOT = packageRoot()
const DAY = parseBeijing(`${LARGE_BILL_DATE} 00:00:00`)!

export interface ReconcileReading {
  lines: number
  matched: number
  status: string
  ms: number
  maxRssMb: number
}

/**
 * Books of one merchant holding the trades the large bills of ./bill-files.ts name, successful at
 * the times the bills give: every line finds its trade. Written by SQL alone, so setting up a million
 * trades takes seconds.
 */
function prepareBooks(dbFile: string, channel: 'wechat' | 'alipay', n: number): void {
  const ctx = new ServiceContext({ dbFile, transport: 'cli' })
  try {
    const merchantId = insertMerchant(ctx.db, {
      name: 'bench',
      channel,
      mode: 'direct',
      endpoint: 'https://example.invalid',
      settings: channel === 'wechat' ? { mchid: '1900000001' } : { appId: '2021000000000001' },
      secrets: null,
      secretNames: [],
      enabled: true,
    })
    const p = { n, m: merchantId, channel, day: DAY }
    const seq = 'WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < @n)'
    const amount = '100 + ((i * 7919) % 99900)'
    const time = '@day + ((i * 37) % 86400) * 1000'
    ctx.db.transaction(() => {
      ctx.db
        .prepare(
          `${seq} INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, kind, title, amount, status,
             refundable_amount, created_at, paid_at, updated_at)
           SELECT printf('BIG%09d', i), printf('BIG%09d', i), @m, @channel, 'pay', '', ${amount}, 'success',
             ${amount}, @day, ${time}, @day FROM seq WHERE i % 5 <> 4`,
        )
        .run(p)
      ctx.db
        .prepare(
          `${seq} INSERT INTO refund_orders (refund_no, biz_refund_no, pay_order_id, merchant_id, channel, amount,
             status, created_at, finished_at, updated_at)
           SELECT printf('RFBIG%09d', i - 1), printf('RFBIG%09d', i - 1),
             (SELECT id FROM pay_orders WHERE merchant_id = @m AND order_no = printf('BIG%09d', i - 1)),
             @m, @channel, ${amount}, 'success', @day, ${time}, @day FROM seq WHERE i % 5 = 4`,
        )
        .run(p)
    })()
  } finally {
    void ctx.close()
  }
}

async function child(channel: string, dbFile: string, file: string): Promise<ReconcileReading> {
  const { stdout } = await run(
    process.execPath,
    [path.join(ROOT, 'bin/bench-reconcile-child.js'), channel, dbFile, file],
    { cwd: ROOT, maxBuffer: 1 << 20, timeout: 1_800_000 },
  )
  return JSON.parse(stdout.trim().split('\n').pop()!) as ReconcileReading
}

export async function reconcileFigures(dir: string, n: number): Promise<Figure[]> {
  const figures: Figure[] = []
  for (const channel of ['wechat', 'alipay'] as const) {
    const what = channel === 'wechat' ? `a ${n}-line WeChat bill` : `a ${n}-line Alipay zip`
    const file =
      channel === 'wechat'
        ? path.join(dir, 'wechat-tradebill-20261003.csv')
        : path.join(dir, '2088000000000156_20261003.csv.zip')
    if (channel === 'wechat') await writeLargeWechatBill(file, n, false)
    else await writeLargeAlipayZip(file, n)
    const dbFile = path.join(dir, `reconcile-${channel}.db`)
    prepareBooks(dbFile, channel, n)
    try {
      const r = await child(channel, dbFile, file)
      if (r.status !== 'matched' || r.lines !== n || r.matched !== n)
        throw new Error(`${what} did not reconcile: ${JSON.stringify(r)}`)
      figures.push(
        figure(
          `reconcile of ${what} (parse, checks, store, match): rate`,
          r.lines / (r.ms / 1000),
          'lines/s',
          50_000,
          {
            atLeast: 1,
          },
        ),
        figure(`reconcile of ${what}: peak memory`, r.maxRssMb, 'MB', 250, { atMost: 1 }),
      )
    } finally {
      for (const f of fs.readdirSync(dir))
        if (f.startsWith(`reconcile-${channel}`) || f === path.basename(file))
          fs.rmSync(path.join(dir, f), { recursive: true, force: true })
    }
  }
  return figures
}
