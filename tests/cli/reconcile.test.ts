import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { alipayBillZip } from '../../src/main/gateways/simulator/bills/alipay'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { bj } from '../helpers/statements'
import { tempDir } from '../helpers/world'

// `paysync reconcile` as a cron job runs it: a separate process, an uploaded bill, the run's JSON of
// docs/reconcile.md A13 and the exit codes 0 / 1 / 3.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

async function paysync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--db', db, ...args], { timeout: 120_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let dir: string
let sim: Simulator
let db: string
const DAY = '2026-10-03'

function bill(rows: Parameters<typeof alipayBillZip>[0]['rows'], name: string, truncated = false): string {
  const zip = alipayBillZip({
    pid: '20880000000000000156',
    date: DAY,
    exportedAt: bj('2026-10-04 05:00:00'),
    rows,
    truncated,
  })
  const file = path.join(dir, name)
  fs.writeFileSync(file, zip.zip)
  return file
}

beforeAll(async () => {
  dir = tempDir()
  db = path.join(dir, 'rec.db')
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'alipay-main', channel: 'alipay' }], orders: [], refunds: [] },
  })
  fs.writeFileSync(path.join(dir, 'p.json'), JSON.stringify(sim.profiles()[0]))
  expect((await paysync(['merchant', 'add', '--config', path.join(dir, 'p.json')])).code).toBe(0)
  const orders = path.join(dir, 'orders.csv')
  fs.writeFileSync(
    orders,
    'orderNo,merchant,amountFen,status,createdAt,paidAt\n' +
      'PS20261003000001,alipay-main,3580,progress,2026-10-03 11:59:00,\n' +
      'PS20261003000002,alipay-main,1200,success,2026-10-03 09:00:00,2026-10-03 09:00:05\n',
  )
  expect((await paysync(['import', orders])).code).toBe(0)
  upsertOrders(sim.state, [
    { merchant: 'alipay-main', orderNo: 'PS20261003000001', amount: 3580, state: 'TRADE_SUCCESS' },
  ])
}, 180_000)
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('paysync reconcile', () => {
  it('reproduces the run JSON of A13 from an uploaded bill, syncs the difference, exit 0', async () => {
    const file = bill(
      [
        { kind: 'pay', orderNo: 'PS20261003000001', amount: 3580, time: bj(`${DAY} 12:00:00`) },
        { kind: 'pay', orderNo: 'PS20261003000002', amount: 1200, time: bj(`${DAY} 09:00:05`) },
      ],
      '20880000000000000156_20261003.csv.zip',
    )
    const r = await paysync([
      'reconcile',
      '--merchant',
      'alipay-main',
      '--date',
      DAY,
      '--file',
      file,
      '--json',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    // Every field of the A13 example, with what this day holds.
    expect(out).toMatchObject({
      merchant: 'alipay-main',
      channel: 'alipay',
      billDate: DAY,
      source: 'upload',
      verified: false,
      status: 'matched',
      result: 'balanced',
      file: { name: '20880000000000000156_20261003.csv.zip', encoding: 'gb18030' },
      integrity: 'ok',
      lines: { total: 2, pay: 2, refund: 0, revoke: 0, other: 0, foreign: 0, duplicate: 0 },
      matched: 1,
      matchedCrossDay: 0,
      carried: 0,
      diffs: {
        gateway_only: 0,
        refund_unrecorded: 0,
        local_not_success: 1,
        local_only: 0,
        amount_mismatch: 0,
        status_mismatch: 0,
        trade_no_conflict: 0,
        fee_deviation: 0,
      },
      actions: { syncQueued: 1, anomaliesOpened: 0 },
      amounts: { channelPay: 4780, channelRefund: 0, localPay: 4780, localRefund: 0, feeE5: 0 },
      errorCode: null,
    })
    expect(out.statementId).toBeTypeOf('number')
    expect(out.actions.syncBatchId).toBeTypeOf('number')
    expect(out.file.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(out.durationMs).toBeTypeOf('number')

    const list = JSON.parse((await paysync(['statements', '--json'])).stdout)
    expect(list.total).toBe(1)
    expect(list.items[0]).toMatchObject({ id: out.statementId, result: 'balanced', openDiffs: 0 })
    // 来源 as in the window's list: the bill was uploaded, so it is no download.
    const uploaded = JSON.parse((await paysync(['statements', '--source', 'upload', '--json'])).stdout)
    expect(uploaded.items.map((s: { id: number }) => s.id)).toEqual([out.statementId])
    expect(JSON.parse((await paysync(['statements', '--source', 'download', '--json'])).stdout).total).toBe(0)
    const wrong = await paysync(['statements', '--source', 'portal'])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/--source must be one of download, upload, not "portal"/)
    const diffs = JSON.parse(
      (await paysync(['statement', 'diffs', String(out.statementId), '--json'])).stdout,
    )
    expect(diffs.items[0]).toMatchObject({
      kind: 'local_not_success',
      action: 'sync_done',
      status: 'resolved',
    })
    const lines = await paysync(['statement', 'lines', String(out.statementId)])
    expect(lines.stdout).toContain('PS20261003000002')

    // The exports of A16: UTF-8 with BOM, CRLF, the columns exactly, yuan with two decimals, fees with five.
    const diffCsv = path.join(dir, 'diffs.csv')
    const e1 = await paysync([
      'export',
      'statement-diffs',
      '--statement',
      String(out.statementId),
      '--out',
      diffCsv,
    ])
    expect(e1.code).toBe(0)
    const diffText = fs.readFileSync(diffCsv, 'utf8')
    expect(
      diffText.startsWith(
        '\uFEFF对账日期,商户,通道,差异类型,差异说明,交易类型,本地订单号,本地退款号,通道交易号,通道退款号,本地金额(元),通道金额(元),本地状态,通道状态,本地时间,通道时间,处理方式,同步记录号,待处理编号,处理状态,备注\r\n',
      ),
    ).toBe(true)
    expect(diffText).toContain('2026-10-03,alipay-main,支付宝,通道成功、本地未成功,')
    const lineCsv = path.join(dir, 'lines.csv')
    expect(
      (await paysync(['export', 'statement-lines', '--statement', String(out.statementId), '--out', lineCsv]))
        .code,
    ).toBe(0)
    const lineText = fs.readFileSync(lineCsv, 'utf8').split('\r\n')
    expect(lineText[0]).toBe(
      '\uFEFF行号,类型,商户订单号,通道交易号,退款号,通道退款号,金额(元),结算金额(元),手续费(元),通道状态,通道时间,匹配结果,本地单号',
    )
    expect(lineText[1]).toMatch(
      /^6,支付,PS20261003000001,,,,35\.80,35\.80,0\.00000,交易,2026-10-03 12:00:00,差异,PS20261003000001$/,
    )
  })

  it('a bill that does not add up: exit 1, STATEMENT_SUMMARY_MISMATCH, nothing matched', async () => {
    const file = bill(
      [
        { kind: 'pay', orderNo: 'PS20261003000001', amount: 3580, time: bj(`${DAY} 12:00:00`) },
        { kind: 'pay', orderNo: 'PS20261003000002', amount: 1200, time: bj(`${DAY} 09:00:05`) },
      ],
      'cut.csv.zip',
      true,
    )
    const r = await paysync([
      'reconcile',
      '--merchant',
      'alipay-main',
      '--date',
      DAY,
      '--file',
      file,
      '--json',
    ])
    expect(r.code).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ status: 'failed', result: null, errorCode: 'STATEMENT_SUMMARY_MISMATCH' })
    expect(out.lines.total).toBe(0)
  })

  it('dismiss needs a remark', async () => {
    const r = await paysync(['statement', 'dismiss', '999'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--remark')
  })
})
