import ExcelJS from 'exceljs'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importFile } from '../../src/main/files/import/importer'
import { UnreadableFileError } from '../../src/main/files/import/row-source'
import { importErrors } from '../../src/main/store/imports'
import { findPayOrder } from '../../src/main/store/orders'
import { findRefundOrder } from '../../src/main/store/refunds'
import { say } from '../../src/shared/messages'
import { createWorld, type World } from '../helpers/world'

// The import's rules from a finance user's day (issue 14, review-newcomer M6, M8, m1, m2, m5, m7, m8,
// m9, m10): each case is a file the report tried, and what must happen to it.

let w: World
let file: (name: string, content: string | Buffer) => string
beforeAll(async () => {
  w = await createWorld({
    merchants: [
      { name: 'ali', channel: 'alipay' },
      { name: '门店-支付宝', channel: 'alipay' },
    ],
  })
  file = (name, content) => {
    const f = path.join(w.dir, name)
    fs.writeFileSync(f, content)
    return f
  }
})
afterAll(async () => {
  await w.close()
})

const order = (no: string) => findPayOrder(w.ctx.db, w.merchantId('ali'), no)

describe('the unit of an amount column (item 6)', () => {
  it('refuses a whole-number `amount` column whose unit nothing says, naming --amount-unit, and writes nothing', async () => {
    const f = file(
      '07-amount-header.csv',
      'orderNo,merchant,amount\nAMT202612030001,ali,100\nAMT202612030002,ali,88\n',
    )
    const refusal = await importFile(w.ctx.db, f, { type: 'pay' }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(UnreadableFileError)
    expect((refusal as Error).message).toMatch(
      /column amount .* whole number .*--amount-unit yuan or --amount-unit fen/,
    )
    expect(order('AMT202612030001')).toBeUndefined()
    // The window's sentence names its own control.
    const window = await importFile(w.ctx.db, f, { type: 'pay', audience: 'window' }).catch((e: unknown) => e)
    expect(
      say((window as UnreadableFileError).said!.id, (window as UnreadableFileError).said!.params, 'zh-CN'),
    ).toMatch(/请在预览中选择 元 或 分/)
  })

  it('the preview asks, shows the amount that would be stored beside the cell, and reads yuan until told', async () => {
    const f = file('07b.csv', 'orderNo,merchant,amount\nAMT-B1,ali,100\nAMT-B2,ali,88\n')
    const p = await importFile(w.ctx.db, f, { type: 'pay', dryRun: true, sample: 5 })
    expect(p.amountColumns).toEqual([
      { index: 2, header: 'amount', field: 'amountYuan', unit: 'yuan', from: 'assumed', question: true },
    ])
    expect(p.sample.map((r) => [r.cells[2], r.amount])).toEqual([
      ['100', 10000],
      ['88', 8800],
    ])
    const fen = await importFile(w.ctx.db, f, { type: 'pay', dryRun: true, sample: 5, amountUnit: 'fen' })
    expect(fen.amountColumns[0]).toMatchObject({ unit: 'fen', from: 'option', question: false })
    expect(fen.sample.map((r) => r.amount)).toEqual([100, 88])
  })

  it('--amount-unit decides: yuan stores ¥100.00, fen stores ¥1.00', async () => {
    const f = file('07c.csv', 'orderNo,merchant,amount\nAMT-C1,ali,100\n')
    await importFile(w.ctx.db, f, { type: 'pay', amountUnit: 'yuan' })
    expect(order('AMT-C1')!.amount).toBe(10000)
    const g = file('07d.csv', 'orderNo,merchant,amount\nAMT-D1,ali,100\n')
    await importFile(w.ctx.db, g, { type: 'pay', amountUnit: 'fen' })
    expect(order('AMT-D1')!.amount).toBe(100)
  })

  it('a decimal or a currency sign in the column says yuan; a header with 分 or a mapping says the unit', async () => {
    const f = file('07e.csv', 'orderNo,merchant,amount\nAMT-E1,ali,100\nAMT-E2,ali,12.50\n')
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s.amountColumns[0]).toMatchObject({ unit: 'yuan', from: 'values' })
    expect([order('AMT-E1')!.amount, order('AMT-E2')!.amount]).toEqual([10000, 1250])
    const g = file('07f.csv', '商户订单号,商户,金额(分)\nAMT-F1,ali,100\n')
    expect((await importFile(w.ctx.db, g, { type: 'pay' })).amountColumns[0]).toMatchObject({
      unit: 'fen',
      from: 'header',
    })
    expect(order('AMT-F1')!.amount).toBe(100)
    const h = file('07g.csv', 'orderNo,merchant,Total\nAMT-G1,ali,100\n')
    const mapped = await importFile(w.ctx.db, h, {
      type: 'pay',
      mapping: { columns: { orderNo: 'orderNo', merchant: 'merchant', Total: 'amountFen' }, defaults: {} },
    })
    expect(mapped.amountColumns[0]).toMatchObject({ unit: 'fen', from: 'mapping' })
    expect(order('AMT-G1')!.amount).toBe(100)
  })
})

describe('shop-export vocabulary (item 13)', () => {
  it('reads shop headers, statuses, amounts with 元 and RMB, full-width digits and Chinese dates', async () => {
    const f = file(
      '15-variant1.csv',
      [
        '订单编号,商户,实付金额,交易状态,付款时间,创建时间',
        'SHOP-1,ali,12.50元,已付款,2026年12月3日 9:00,2026/12/3 8:59',
        'SHOP-2,ali,RMB 10.00,交易成功,2026-12-03 09:01:00,2026年12月3日 9:00',
        'SHOP-3,ali,１２.５０,待付款,,2026年12月3日',
        'SHOP-4,ali,8.00,交易关闭,,13/03/2026 10:00',
        'SHOP-5,ali,9.00,已完成,,03/13/2026 10:00',
        'SHOP-6,ali,9.00,已完成,,12/03/2026 10:00',
      ].join('\n'),
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s.errors.map((e) => [e.line, e.said?.id])).toEqual([[7, 'row.ambiguousDate']])
    expect(s.errors[0]!.reason).toMatch(/2026-12-03 or 2026-03-12/)
    expect(order('SHOP-1')).toMatchObject({
      amount: 1250,
      status: 'success',
      paid_at: Date.UTC(2026, 11, 3, 1),
    })
    expect(order('SHOP-2')).toMatchObject({
      amount: 1000,
      status: 'success',
      created_at: Date.UTC(2026, 11, 3, 1),
    })
    expect(order('SHOP-3')).toMatchObject({
      amount: 1250,
      status: 'progress',
      created_at: Date.UTC(2026, 11, 2, 16),
    })
    expect(order('SHOP-4')).toMatchObject({ status: 'close', created_at: Date.UTC(2026, 2, 13, 2) })
    expect(order('SHOP-5')).toMatchObject({ status: 'success', created_at: Date.UTC(2026, 2, 13, 2) })
  })

  it('finds the header below a title line and skips a 合计 line, telling both', async () => {
    const f = file(
      '10-title-line.csv',
      '订单导出 2026-12-03\n\n商户订单号,商户,金额(元),状态\nTTL-1,ali,1.00,成功\nTTL-2,ali,2.00,支付中\n合计,,3.00,\n',
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s).toMatchObject({ headerLine: 3, rows: 3, inserted: 2, skipped: 1, rejected: 0 })
    expect(s.notes.map((n) => [n.line, n.kind, n.said.id])).toEqual([
      [1, 'skipped', 'note.titleLine'],
      [6, 'skipped', 'note.total'],
    ])
  })
})

describe('one bad quote refuses one row (item 9)', () => {
  it('refuses the row with the stray quote by its line; the good rows around it go in', async () => {
    const f = file(
      '02-utf8-bom-thousands.csv',
      '\uFEFF商户订单号,商户,金额(元),商品名称\nQ-1,ali,"1,234.50",茶\nQ-2,ali,1.00,=HYPERLINK("http://evil","x")\nQ-3,ali,2.00,咖啡\n',
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s).toMatchObject({ rows: 3, inserted: 2, rejected: 1 })
    expect(s.errors.map((e) => [e.line, e.said?.id])).toEqual([[3, 'row.strayQuote']])
    expect(order('Q-1')!.amount).toBe(123450)
    expect(order('Q-3')!.amount).toBe(200)
  })

  it('a quote left open refuses its line and reading goes on at the next', async () => {
    const f = file(
      'openquote.csv',
      'orderNo,merchant,amountYuan,title\nO-1,ali,1.00,"never closed\nO-2,ali,2.00,ok\n',
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s.errors.map((e) => [e.line, e.said?.id])).toEqual([[2, 'row.openQuote']])
    expect(order('O-2')!.amount).toBe(200)
  })
})

describe('the merchant chosen for the whole file (item 10)', () => {
  it('applies to every row; the file names it did not are told, not refused', async () => {
    const f = file(
      '01-merchant.csv',
      '商户订单号,商户,金额(元),状态\nM-1,sim-alipay,1.00,成功\nM-2,sim-alipay,2.00,成功\n',
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay', merchant: '门店-支付宝' })
    expect(s).toMatchObject({ inserted: 2, rejected: 0, merchantColumnIgnored: ['sim-alipay'] })
    expect(findPayOrder(w.ctx.db, w.merchantId('门店-支付宝'), 'M-1')).toBeDefined()
  })

  it('without a choice, a file with no merchant says to choose one: the flag on the command line, the panel in the window', async () => {
    const f = file('08-no-merchant.csv', '商户订单号,金额(元)\nNM-1,1.00\n')
    const cli = await importFile(w.ctx.db, f, { type: 'pay', dryRun: true })
    expect(cli.errors[0]!.said!.id).toBe('row.noMerchant.cli')
    const window = await importFile(w.ctx.db, f, { type: 'pay', dryRun: true, audience: 'window' })
    expect(say(window.errors[0]!.said!.id, window.errors[0]!.said!.params, 'zh-CN')).toMatch(
      /导入面板的“商户”/,
    )
  })
})

describe('repeats, conflicts and doubtful values (item 15)', () => {
  it('names a repeated row and a row that disagrees with a stored trade, neither counted unchanged', async () => {
    await importFile(
      w.ctx.db,
      file('13a.csv', '商户订单号,商户,金额(元),状态,商品名称\nDUP-1,ali,1.00,支付中,茶\n'),
      {
        type: 'pay',
      },
    )
    const f = file(
      '06-duplicates.csv',
      '商户订单号,商户,金额(元),状态,商品名称\nDUP-2,ali,2.00,支付中,\nDUP-2,ali,2.00,支付中,\nDUP-2,ali,2.00,成功,\nDUP-1,ali,1.00,成功,茶\n',
    )
    for (const dryRun of [true, false]) {
      const s = await importFile(w.ctx.db, f, { type: 'pay', dryRun })
      expect(s).toMatchObject({ inserted: 1, unchanged: 0, duplicates: 1, conflicts: 2, rejected: 0 })
      expect(s.notes.map((n) => say(n.said.id, n.said.params, 'zh-CN'))).toEqual([
        '第 3 行与第 2 行重复',
        '第 4 行与第 2 行是同一笔交易，但状态不同；以第 2 行为准',
        '已存在，状态不同（已有“支付中”，文件为“成功”），未修改：导入不会改动状态，标题只在原来为空时填入',
      ])
      if (!dryRun) expect(order('DUP-2')!.status).toBe('progress')
    }
  })

  it('warns of a number Excel cut, a zero amount, a creation time in the future and a refund of an unpaid order', async () => {
    const future = '2099-01-01 00:00:00'
    const f = file(
      '05-doubtful.csv',
      `商户订单号,商户,金额(元),状态,创建时间\n202612030000000000,ali,1.00,支付中,\nZERO-1,ali,0,支付中,\nFUT-1,ali,1.00,支付中,${future}\n`,
    )
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s).toMatchObject({ inserted: 3, warnings: 3 })
    expect(s.notes.map((n) => [n.line, n.kind, n.said.id])).toEqual([
      [2, 'warning', 'warn.excelZeros'],
      [3, 'warning', 'warn.zeroAmount'],
      [4, 'warning', 'warn.future'],
    ])
    const r = file('09-refunds.csv', '退款单号,商户订单号,商户,退款金额(元)\nRFB0004,FUT-1,ali,0.50\n')
    const refunds = await importFile(w.ctx.db, r, { type: 'refund' })
    expect(refunds.notes.map((n) => n.said.id)).toEqual(['warn.refundUnpaid'])
    expect(findRefundOrder(w.ctx.db, w.merchantId('ali'), 'RFB0004')).toBeDefined()
  })

  it('refusals speak of money in yuan (m10)', async () => {
    await importFile(w.ctx.db, file('big.csv', '商户订单号,商户,金额(元),状态\nBIG-1,ali,2.85,成功\n'), {
      type: 'pay',
    })
    const r = file('11-refunds-big.csv', '退款单号,商户订单号,商户,退款金额(元)\nRB-1,BIG-1,ali,999.00\n')
    const s = await importFile(w.ctx.db, r, { type: 'refund', dryRun: true })
    expect(say(s.errors[0]!.said!.id, s.errors[0]!.said!.params, 'zh-CN')).toBe(
      '退款 ¥999.00 超过了订单 BIG-1 剩余可退的 ¥2.85',
    )
  })

  it('a pay import of a refund list says to import it as refunds', async () => {
    const r = file('refund-as-pay.csv', '退款单号,商户订单号,退款金额(元)\nRX-1,BIG-1,1.00\n')
    await expect(importFile(w.ctx.db, r, { type: 'pay' })).rejects.toThrow(
      /looks like a refund list.*--type refund/,
    )
  })

  it('rounds an XLSX amount within 1e-9 of two decimals, as Excel shows it (m9)', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('订单')
    ws.addRow(['商户订单号', '商户', '金额(元)'])
    ws.addRow(['X-ROUND', 'ali', 0.1 + 0.2])
    ws.addRow(['X-ROUND2', 'ali', 1.1 * 3])
    const f = path.join(w.dir, '04-orders.xlsx')
    await wb.xlsx.writeFile(f)
    const s = await importFile(w.ctx.db, f, { type: 'pay' })
    expect(s).toMatchObject({ inserted: 2, rejected: 0 })
    expect([order('X-ROUND')!.amount, order('X-ROUND2')!.amount]).toEqual([30, 330])
  })
})

describe('refused rows are kept (item 8)', () => {
  it('an import keeps each refused row with its cells, and --rejected-out writes them to fix and import again', async () => {
    const f = file(
      '01-rejects.csv',
      '商户订单号,商户,金额(元),状态,商品名称\nRJ-1,ali,1.00,成功,茶\nRJ-2,ali,abc,成功,=1+1\nRJ-3,ali,3.00,paid-ish,2026112022001400000000000001\n',
    )
    const out = path.join(w.dir, 'rejected.csv')
    const s = await importFile(w.ctx.db, f, { type: 'pay', rejectedOut: { file: out } })
    expect(s).toMatchObject({ inserted: 1, rejected: 2 })
    expect(importErrors(w.ctx.db, s.importId).map((e) => [e.line, e.cells])).toEqual([
      [3, ['RJ-2', 'ali', 'abc', '成功', '=1+1']],
      [4, ['RJ-3', 'ali', '3.00', 'paid-ish', '2026112022001400000000000001']],
    ])
    const text = fs.readFileSync(out, 'utf8')
    expect(text.split('\r\n')).toEqual([
      '\uFEFF行号,原因,商户订单号,商户,金额(元),状态,商品名称',
      "3,金额(元)“abc”不是以元为单位的金额（请写成 1234.50 这样）,RJ-2,ali,abc,成功,'=1+1",
      '4,状态“paid-ish”无法识别；请用 支付中/待付款/progress、成功/已付款/交易成功/success、关闭/交易关闭/close、撤销/cancel 或 失败/fail,RJ-3,ali,3.00,paid-ish,2026112022001400000000000001\t',
      '',
    ])
    // Fixed in a spreadsheet and imported again, the file goes in as it came out.
    fs.writeFileSync(out, text.replace(',abc,', ',2.00,').replace(',paid-ish,', ',成功,'))
    const again = await importFile(w.ctx.db, out, { type: 'pay' })
    expect(again).toMatchObject({ inserted: 2, rejected: 0 })
    expect(order('RJ-3')!.title).toBe('2026112022001400000000000001')
    await expect(importFile(w.ctx.db, f, { type: 'pay', rejectedOut: { file: out } })).rejects.toThrow(
      /exists already/,
    )
  })
})
