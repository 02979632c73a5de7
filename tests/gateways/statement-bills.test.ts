import crypto from 'node:crypto'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import type { StatementLine } from '../../src/main/files/statement/types'
import { decodeUnionpayFileContent } from '../../src/main/files/statement/unionpay-content'
import {
  alipayBillZip,
  alipayDetailText,
  DETAIL_END,
  DETAIL_START,
  SUMMARY_END,
  SUMMARY_START,
  type AlipayBillRow,
} from '../../src/main/gateways/simulator/bills/alipay'
import {
  unionpayBill,
  unionpayZmFile,
  type UnionpayBillRow,
} from '../../src/main/gateways/simulator/bills/unionpay'
import {
  wechatBillDownload,
  wechatBillText,
  type WechatBillRow,
} from '../../src/main/gateways/simulator/bills/wechat'
import { rng, type Rng } from '../helpers/prng'
import {
  ALIPAY_SAMPLE,
  bj,
  fixture,
  fixtureText,
  readBytes,
  UNIONPAY_SAMPLE,
  WECHAT_ALL_SAMPLE,
  WECHAT_REFUND_SAMPLE,
} from '../helpers/statements'

// The simulator's statement writers (docs/reconcile.md A14): the spec's samples reproduced byte for
// byte from trades, and every file they write read back by the parsers of src/main/files/statement
// to the same trades — the proof that the two sides agree without either importing the other.

describe('byte-exact samples', () => {
  it('Alipay: the public detail sample, from its ten trades', () => {
    const text = fixtureText(ALIPAY_SAMPLE)
    const lines = text.split('\n')
    expect(lines[3]).toBe(DETAIL_START)
    expect(DETAIL_START).toMatch(/^#-{41}业务明细列表-{40}$/)
    expect(lines[15]).toBe(DETAIL_END)
    expect(DETAIL_END).toMatch(/^#-{41}业务明细列表结束-{36}$/)
    expect(SUMMARY_START).toMatch(/^#-{41}业务汇总列表-{40}$/)
    expect(SUMMARY_END).toMatch(/^#-{40}业务汇总列表结束-{37}$/)
    // The trades, read from the sample by plain splitting (not by the parser under test).
    const rows: AlipayBillRow[] = lines.slice(5, 15).map((line) => {
      const c = line.split(',').map((s) => s.replace(/\t$/, ''))
      const refund = c[2] === '退款'
      return {
        kind: refund ? 'refund' : 'pay',
        gatewayTradeNo: c[0]!,
        orderNo: c[1]!,
        subject: c[3]!,
        ...(refund ? { payTime: bj(c[4]!) } : { createdAt: bj(c[4]!) }),
        time: bj(c[5]!),
        storeNo: c[6]!,
        storeName: c[7]!,
        operator: c[8]!,
        terminal: c[9]!,
        buyer: c[10]!,
        amount: 1,
        refundNo: c[21]!,
        remark: c[24]!,
      }
    })
    const written = alipayDetailText({
      pid: '20880211096256330156',
      date: '2019-09-16',
      exportedAt: bj('2019-09-17 05:46:49'),
      rows,
    })
    expect(written).toBe(text)
  })

  it('WeChat: the Go client’s ALL and REFUND samples, from their trades', () => {
    const common = { appid: 'wx81be3101902f7cb2', openid: 'ofyak5qR_1wYsC99CsWA6R9MJazA', rate: '1.00%' }
    const pay = (time: string, transactionId: string, orderNo: string): WechatBillRow => ({
      ...common,
      kind: 'pay',
      time: bj(time),
      gatewayTradeNo: transactionId,
      orderNo,
      amount: 1,
      subject: 'for testing',
      attach: 'cipher code',
    })
    const all = wechatBillText({
      mchid: '1601959334',
      rows: [
        pay('2021-01-28 17:07:11', '4200000925202101284997714292', 'S20210128170702357723'),
        pay('2021-01-28 15:35:18', '4200000910202101282955148400', 'S20210128153505214586'),
        pay('2021-01-28 16:59:46', '4200000926202101281412639609', 'S20210128165824499930'),
      ],
    })
    expect(all).toBe(fixtureText(WECHAT_ALL_SAMPLE))
    const refund = wechatBillText({
      mchid: '1601959334',
      billType: 'REFUND',
      rows: [
        {
          ...common,
          kind: 'refund',
          payTime: bj('2021-01-24 16:16:25'),
          time: bj('2021-02-01 14:33:21'),
          finishedAt: bj('2021-02-01 14:33:24'),
          gatewayTradeNo: '4200000844202101245866928772',
          orderNo: 'S20210124161554311546',
          gatewayRefundNo: '50300807172021020106006664916',
          refundNo: 'S20210201143320649393',
          amount: 1,
          subject: 'for testing',
          attach: 'cipher code',
        },
        {
          ...common,
          kind: 'refund',
          payTime: bj('2021-01-19 16:31:18'),
          time: bj('2021-02-01 14:00:45'),
          finishedAt: bj('2021-02-01 14:00:50'),
          gatewayTradeNo: '4200000846202101197461830397',
          orderNo: 'S20210119083100844726118382',
          gatewayRefundNo: '50300907032021020105978998710',
          refundNo: 'S20210201140044552846',
          amount: 1,
          subject: 'Package Venue',
        },
      ],
    })
    expect(refund).toBe(fixtureText(WECHAT_REFUND_SAMPLE))
  })

  it('UnionPay: the synthetic ZM sample, Chinese 二级商户简称 and CRLF included', () => {
    const rows: UnionpayBillRow[] = [
      {
        kind: 'pay',
        orderNo: 'PS20261003000003',
        amount: 3580,
        time: bj('2026-10-03 10:00:30'),
        feeE5: -21_000,
        gatewayTradeNo: '512610031000300000001',
        subMerName: '洗衣店一号',
        fields: { 系统跟踪号: '123456' },
      },
      {
        kind: 'refund',
        orderNo: 'PS20261003000003',
        refundNo: 'RF20261003000003',
        amount: 3580,
        time: bj('2026-10-03 15:20:05'),
        feeE5: 21_000,
        gatewayTradeNo: '512610031000300000001',
        gatewayRefundNo: '512610031520050000002',
        fields: { 系统跟踪号: '123456' },
      },
    ]
    const file = unionpayZmFile({ merId: '898000000000001', settleDate: '2026-10-03', rows })
    expect(file.equals(fixture(UNIONPAY_SAMPLE))).toBe(true)
  })
})

describe('archives', () => {
  const rows: AlipayBillRow[] = [
    {
      kind: 'pay',
      orderNo: 'PS1',
      amount: 3580,
      time: bj('2026-10-03 10:00:00'),
      gatewayTradeNo: 'T1',
      storeNo: 'S1',
      storeName: '一号店',
    },
    {
      kind: 'refund',
      orderNo: 'PS1',
      refundNo: 'RF1',
      amount: 1000,
      time: bj('2026-10-03 12:00:00'),
      gatewayTradeNo: 'T1',
      storeNo: 'S1',
      storeName: '一号店',
    },
  ]
  const options = { pid: '2088000000000156', date: '2026-10-03', exportedAt: bj('2026-10-04 05:00:00'), rows }

  it('Alipay: GBK entry names without the UTF-8 flag, sizes in data descriptors, as Java writes them', async () => {
    const bill = alipayBillZip(options)
    expect(bill.name).toBe('2088000000000156_20261003.csv.zip')
    expect(bill.entries).toEqual([
      '2088000000000156_20261003_业务明细.csv',
      '2088000000000156_20261003_业务明细(汇总).csv',
    ])
    let at = 0
    for (const name of bill.entries) {
      at = bill.zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at)
      expect(bill.zip.readUInt16LE(at + 6)).toBe(0x0008)
      expect(bill.zip.readUInt32LE(at + 18)).toBe(0) // compressed size: in the descriptor
      const nameLength = bill.zip.readUInt16LE(at + 26)
      expect(bill.zip.subarray(at + 30, at + 30 + nameLength).equals(iconv.encode(name, 'gbk'))).toBe(true)
      at += 30
    }
    const summary = iconv.decode(bill.summary, 'gbk').split('\n')
    expect(summary[0]).toBe('#支付宝业务汇总查询')
    expect(summary).toContain('合计,,1,1,25.80,25.80,0.00,0.00,0.00,0.00,0.00,25.80')
    const { lines, result } = await readBytes(bill.zip, bill.name)
    expect(result).toMatchObject({ status: 'parsed', entries: bill.entries, notices: [] })
    expect(result.checks.filter((c) => !c.binding).map((c) => [c.item, c.ok])).toEqual([
      ['#交易合计 商家优惠', true],
      ['#退款合计 商家优惠', true],
      ['合计 交易订单总笔数', true],
      ['合计 退款订单总笔数', true],
      ['合计 订单金额（元）', true],
      ['合计 商家实收（元）', true],
      ['合计 服务费（元）', true],
    ])
    expect(result.totals.netE5).toBe(2580_000)
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['pay', 3580],
      ['refund', 1000],
    ])
  })

  it('Alipay: the UTF-8 flag fault over GBK names still reads; the zip without its summary too', async () => {
    const flagged = alipayBillZip({ ...options, utf8NameFlag: true })
    expect(flagged.zip.readUInt16LE(6)).toBe(0x0808)
    expect((await readBytes(flagged.zip, flagged.name)).result).toMatchObject({
      status: 'parsed',
      entries: flagged.entries,
    })
    const alone = alipayBillZip({ ...options, withoutSummary: true })
    const read = await readBytes(alone.zip, alone.name)
    expect(read.result).toMatchObject({ status: 'parsed', entries: [alone.entries[0]] })
    expect(read.result.checks.some((c) => c.item.startsWith('合计'))).toBe(false)
  })

  it('Alipay: a summary file that disagrees, or cannot be read, is a notice; the footers decide', async () => {
    const bill = alipayBillZip(options)
    const { zipArchive } = await import('../../src/main/gateways/simulator/bills/zip')
    const summaryText = iconv.decode(bill.summary, 'gbk')
    for (const [summary, id] of [
      [summaryText.replace('合计,,1,1,25.80', '合计,,1,1,35.80'), 'statement.summaryFileMismatch'],
      [summaryText.replace('合计,,1,1,25.80', '合计,,x,1,25.80'), 'statement.summaryFileUnreadable'],
    ] as const) {
      const zip = zipArchive([
        { name: bill.entries[0]!, data: bill.detail, mtime: options.exportedAt },
        { name: bill.entries[1]!, data: iconv.encode(summary, 'gbk'), mtime: options.exportedAt },
      ])
      const { result } = await readBytes(zip, bill.name)
      expect(result.status).toBe('parsed')
      expect(result.notices.map((n) => n.messageId)).toEqual([id])
    }
  })

  it('UnionPay: fileContent is base64 of the deflated zip of INN{yyMMdd}88ZM_{merId}', async () => {
    const bill = unionpayBill({
      merId: '898000000000001',
      settleDate: '2026-10-03',
      rows: [
        {
          kind: 'pay',
          orderNo: 'PS2',
          amount: 100,
          time: bj('2026-10-03 09:00:00'),
          gatewayTradeNo: 'Q2',
          subMerName: '二级商户甲',
        },
      ],
    })
    expect(bill).toMatchObject({
      fileName: '898000000000001_20261003.zip',
      entryName: 'INN26100388ZM_898000000000001',
    })
    const packed = Buffer.from(bill.fileContent, 'base64')
    expect((packed[0]! * 256 + packed[1]!) % 31).toBe(0) // the zlib wrapper the acp SDK's Inflater(false) expects
    expect(decodeUnionpayFileContent(bill.fileContent).equals(bill.zip)).toBe(true)
    expect(bill.zm.length).toBe(610)
  })
})

// ---- round trips over random trades ------------------------------------------------------------

let serial = 0
function trades(r: Rng, n: number, opts: { fees: 'e5' | 'fen'; revoke: boolean; chinese?: boolean }) {
  const out: Array<WechatBillRow & UnionpayBillRow & AlipayBillRow> = []
  const day = bj('2026-10-03 00:00:00')
  for (let i = 0; i < n; i++) {
    const no = `RT${r.seed % 1000}x${++serial}`
    const kind = r.chance(0.65) ? 'pay' : opts.revoke && r.chance(0.15) ? 'revoke' : 'refund'
    const fee = r.chance(0.3) ? 0 : r.range(-500, 5000) * (opts.fees === 'fen' ? 1000 : r.pick([1, 10, 1000]))
    out.push({
      kind,
      orderNo: no,
      refundNo: kind === 'refund' ? `R${no}` : undefined,
      amount: r.pick([1, 29, 100, 3580, r.range(1, 99_999_999)]),
      time: day + r.int(86_400) * 1000,
      payTime: day - r.int(20) * 86_400_000,
      feeE5: fee,
      gatewayTradeNo: `42${String(r.int(1e9)).padStart(9, '0')}${serial}`,
      gatewayRefundNo: kind === 'refund' ? `50${serial}` : undefined,
      status: kind === 'refund' ? r.pick(['SUCCESS', 'PROCESSING', 'CHANGE']) : undefined,
      subject: r.pick(['咖啡', 'Tea #1', '商品名称', 'x']),
      subMerName: opts.chinese
        ? r.pick(['洗衣店一号', '', 'ABC', '二级商户名称很长十五个字的名字'])
        : undefined,
      coupon: kind === 'pay' && r.chance(0.2) ? 1 : undefined,
    })
  }
  return out
}

function expectLines(
  lines: StatementLine[],
  rows: ReturnType<typeof trades>,
  timeOf: (row: (typeof rows)[0]) => number,
) {
  expect(
    lines.map((l) => [l.kind, l.orderNo, l.refundNo, l.gatewayTradeNo, l.amount, l.feeE5, l.lineTime]),
  ).toEqual(
    rows.map((row) => [
      row.kind,
      row.orderNo,
      row.refundNo ?? '',
      row.gatewayTradeNo,
      row.amount,
      row.feeE5 ?? 0,
      timeOf(row),
    ]),
  )
}

describe('round trips', () => {
  it('WeChat: every layout, BOM or not, LF or CRLF, gzip with its hash', async () => {
    const r = rng(7)
    for (let i = 0; i < 40; i++) {
      const billType = r.pick(['ALL', 'SUCCESS', 'REFUND'] as const)
      const legacy = billType === 'ALL' && r.chance(0.3)
      const rows = trades(r, r.range(0, 30), { fees: 'e5', revoke: !legacy })
      const o = {
        mchid: '1900000001',
        billType,
        legacy,
        rows,
        bom: r.chance(0.5),
        eol: r.pick(['\n', '\r\n'] as const),
      }
      const gzip = r.chance(0.5)
      const bill = wechatBillDownload(o, { gzip })
      const { lines, result } = await readBytes(bill.body, gzip ? 'b.csv.gz' : 'b.csv', {
        expectedSha1: bill.hashValue,
      })
      expect(result.refusal, `case ${i}`).toBeNull()
      expect(result).toMatchObject({
        status: 'parsed',
        layout: legacy ? 'legacy' : billType,
        hash: { matchedOn: 'decompressed' },
      })
      const kept = rows.filter(
        (row) => billType === 'ALL' || (billType === 'SUCCESS' ? row.kind === 'pay' : row.kind === 'refund'),
      )
      // An ALL bill has no 退款申请时间: a refund row's time is its 交易时间, the payment's (A5.4).
      expectLines(lines, kept, (row) =>
        row.kind === 'refund' && billType !== 'REFUND' ? row.payTime! : row.time,
      )
      for (const [l, row] of lines.map((l, k) => [l, kept[k]!] as const)) {
        if (row.kind === 'refund') {
          expect(l.gatewayRefundNo).toBe(row.gatewayRefundNo)
          expect(l.gatewayStatus).toBe(row.status)
          expect(l.settleAmount).toBe(-row.amount || 0)
        } else expect(l.settleAmount).toBe(legacy ? row.amount : row.amount - (row.coupon ?? 0))
      }
      const hash = crypto.createHash('sha1').update(bill.file).digest('hex')
      expect(bill.hashValue).toBe(hash)
    }
  })

  it('Alipay: discounts and fees, CRLF and the older footer wording', async () => {
    const r = rng(11)
    for (let i = 0; i < 25; i++) {
      const rows = trades(r, r.range(0, 40), { fees: 'fen', revoke: false }).map((row) => ({
        ...row,
        discount: row.kind === 'pay' && r.chance(0.2) ? Math.min(row.amount, 5) : undefined,
      }))
      const bill = alipayBillZip({
        pid: '2088000000000156',
        date: '2026-10-03',
        exportedAt: bj('2026-10-04 05:00:00'),
        rows,
        eol: r.pick(['\n', '\r\n'] as const),
        oldFooterWording: r.chance(0.3),
      })
      const { lines, result } = await readBytes(bill.zip, bill.name)
      expect(result.refusal, `case ${i}`).toBeNull()
      expect(result.notices).toEqual([])
      expectLines(
        lines,
        rows.map((row) => ({ ...row, refundNo: row.kind === 'refund' ? row.refundNo : undefined })),
        (row) => row.time,
      )
      lines.forEach((l, k) =>
        expect(l.settleAmount).toBe(
          (l.kind === 'refund' ? -1 : 1) * (rows[k]!.amount - (rows[k]!.discount ?? 0)) || 0,
        ),
      )
    }
  })

  it('UnionPay: pay, refund and cancel lines, Chinese sub-merchant names, both deflate forms', async () => {
    const r = rng(13)
    for (let i = 0; i < 25; i++) {
      const rows = trades(r, r.range(1, 30), { fees: 'fen', revoke: true, chinese: true })
      const bill = unionpayBill(
        { merId: '898000000000001', settleDate: '2026-10-03', rows },
        { deflate: r.pick(['zlib', 'raw'] as const) },
      )
      const { lines, result } = await readBytes(decodeUnionpayFileContent(bill.fileContent), bill.fileName)
      expect(result.refusal, `case ${i}`).toBeNull()
      expectLines(lines, rows, (row) => Math.floor(row.time / 1000) * 1000)
      lines.forEach((l, k) => {
        const row = rows[k]!
        expect(l.settleAmount).toBe(
          (row.kind === 'refund' ? -row.amount : row.amount) + (row.feeE5 ?? 0) / 1000,
        )
        if (row.kind === 'refund') expect(l.gatewayRefundNo).toBe(row.gatewayRefundNo)
      })
    }
  })
})

describe('faults (A14)', () => {
  const t0 = bj('2026-10-03 10:00:00')
  it('bill_truncated: the last detail row dropped, the totals kept: the statement fails', async () => {
    const rows: AlipayBillRow[] = [
      { kind: 'pay', orderNo: 'A', amount: 100, time: t0, gatewayTradeNo: 'TA' },
      { kind: 'pay', orderNo: 'B', amount: 200, time: t0, gatewayTradeNo: 'TB' },
    ]
    const ali = alipayBillZip({
      pid: '2088000000000156',
      date: '2026-10-03',
      exportedAt: t0,
      rows,
      truncated: true,
    })
    expect((await readBytes(ali.zip, ali.name)).result.refusal).toMatchObject({
      reason: 'summary_mismatch',
      column: '#交易合计 笔数',
      params: { declared: '2', parsed: '1' },
    })
    const wx = wechatBillDownload({ mchid: '1900000001', rows, truncated: true })
    expect((await readBytes(wx.body, 'b.csv', { expectedSha1: wx.hashValue })).result.refusal).toMatchObject({
      reason: 'summary_mismatch',
      column: '总交易单数',
    })
  })

  it('bill_hash_mismatch: the hash names other bytes, the file is refused', async () => {
    const wx = wechatBillDownload(
      {
        mchid: '1900000001',
        rows: [{ kind: 'pay', orderNo: 'A', amount: 100, time: t0, gatewayTradeNo: 'TA' }],
      },
      { gzip: true, hashMismatch: true },
    )
    expect(
      (await readBytes(wx.body, 'b.csv.gz', { expectedSha1: wx.hashValue })).result.refusal,
    ).toMatchObject({
      reason: 'hash_mismatch',
      code: 'STATEMENT_HASH_MISMATCH',
    })
  })

  it('总交易单数 counting only the SUCCESS rows is accepted while unverified; the sums stay strict', async () => {
    const rows: WechatBillRow[] = [
      { kind: 'pay', orderNo: 'A', amount: 100, time: t0, gatewayTradeNo: 'TA' },
      {
        kind: 'refund',
        orderNo: 'A',
        refundNo: 'RA',
        amount: 40,
        time: t0,
        gatewayTradeNo: 'TA',
        gatewayRefundNo: 'GA',
      },
    ]
    const wx = wechatBillDownload({ mchid: '1900000001', rows, countSuccessOnly: true })
    const { result } = await readBytes(wx.body, 'b.csv')
    expect(result.status).toBe('parsed')
    expect(result.checks[0]).toMatchObject({ item: '总交易单数', declared: '1', ok: true })
  })
})
