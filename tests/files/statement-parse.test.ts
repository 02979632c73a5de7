import iconv from 'iconv-lite'
import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { feeToE5, isScientific, unionpayFen, yuanToFenExact } from '../../src/main/files/statement/amount'
import { readStatement } from '../../src/main/files/statement/statement'
import { bufferSource } from '../../src/main/files/statement/source'
import { decodeUnionpayFileContent } from '../../src/main/files/statement/unionpay-content'
import { zmField } from '../../src/main/files/statement/unionpay-layout'
import { unionpayBill } from '../../src/main/gateways/simulator/bills/unionpay'
import { wechatBillDownload } from '../../src/main/gateways/simulator/bills/wechat'
import { zipArchive } from '../../src/main/gateways/simulator/bills/zip'
import {
  ALIPAY_SAMPLE,
  bj,
  editLines,
  fixture,
  fixtureText,
  gbk,
  readBytes,
  UNIONPAY_SAMPLE,
  WECHAT_ALL_SAMPLE,
  WECHAT_REFUND_SAMPLE,
} from '../helpers/statements'

// The parsing half of docs/reconcile.md A17 (tests 1 to 11 that concern the file: the download
// answers of 6 and 7 belong to the gateway slice) and the rules of A5, on the public samples the
// spec quotes. The writers' own tests (byte-exact files, round trips) are statement-writers.test.ts.

const ALIPAY_NAME = '20880211096256330156_20190916'

/** The Alipay sample as Alipay sends it: GBK content in a zip whose GBK entry name has no UTF-8 flag. */
function alipayZip(text = fixtureText(ALIPAY_SAMPLE)): Buffer {
  return zipArchive([
    { name: `${ALIPAY_NAME}_业务明细.csv`, data: gbk(text), mtime: bj('2019-09-17 05:46:49') },
  ])
}

describe('A17.1-3 Alipay', () => {
  it('1: the sample zip (GBK name without the UTF-8 flag, GBK content) gives 6 pay and 4 refund lines', async () => {
    const zip = alipayZip()
    // The local header's general purpose flags: bit 3 (data descriptor) only, bit 11 (UTF-8) unset.
    expect(zip.readUInt16LE(6)).toBe(0x0008)
    const { lines, result } = await readBytes(zip, `${ALIPAY_NAME}.csv.zip`)
    expect(result).toMatchObject({
      status: 'parsed',
      format: 'alipay_trade',
      channel: 'alipay',
      encoding: 'gb18030',
      integrity: 'ok',
      account: '20880211096256330156',
      billDate: '2019-09-16',
      window: { start: bj('2019-09-16 00:00:00'), end: bj('2019-09-17 00:00:00') },
      exportedAt: bj('2019-09-17 05:46:49'),
      entries: [`${ALIPAY_NAME}_业务明细.csv`],
      refusal: null,
    })
    expect(lines.filter((l) => l.kind === 'pay')).toHaveLength(6)
    const refunds = lines.filter((l) => l.kind === 'refund')
    expect(refunds.map((l) => [l.refundNo, l.amount, l.settleAmount])).toEqual([
      ['re_test_1568602607356', 1, -1],
      ['re_test_1568604414433', 1, -1],
      ['re_test_1568614511552', 1, -1],
      ['re_20190916150216125q8Lmiodp', 1, -1],
    ])
    for (const l of lines)
      for (const key of [l.orderNo, l.gatewayTradeNo, l.refundNo]) expect(key).not.toMatch(/\t/)
    expect(lines[0]).toEqual({
      lineNo: 6,
      kind: 'pay',
      orderNo: 'service_1568601259302',
      gatewayTradeNo: '2019091622001458860515315453',
      refundNo: '',
      gatewayRefundNo: '',
      amount: 1,
      settleAmount: 1,
      feeE5: 0,
      gatewayStatus: '交易',
      lineTime: bj('2019-09-16 10:55:23'),
      subMerchant: '',
      account: '20880211096256330156',
      raw: fixtureText(ALIPAY_SAMPLE).split('\n')[5],
    })
    expect(lines[1]).toMatchObject({
      kind: 'refund',
      orderNo: 'service_1568601259302',
      lineTime: bj('2019-09-16 10:56:48'),
    })
    const binding = result.checks.filter((c) => c.binding)
    expect(binding.map((c) => [c.item, c.declared, c.parsed, c.ok])).toEqual([
      ['#交易合计 笔数', '6', '6', true],
      ['#交易合计 商家实收', '0.06', '0.06', true],
      ['#退款合计 笔数', '4', '4', true],
      ['#退款合计 商家实收', '-0.04', '-0.04', true],
    ])
    expect(result.totals).toMatchObject({ lines: 10, pay: 6, refund: 4, payAmount: 6, refundAmount: 4 })
  })

  it('2: one 交易 row removed, the footer unchanged: failed with STATEMENT_SUMMARY_MISMATCH on the footer line', async () => {
    const text = editLines(fixtureText(ALIPAY_SAMPLE), (lines) =>
      lines.splice(lines.indexOf(lines.find((l) => l.startsWith('2019091622001458860517860493'))!), 1),
    )
    const { result } = await readBytes(alipayZip(text), `${ALIPAY_NAME}.csv.zip`)
    expect(result.status).toBe('failed')
    expect(result.integrity).toBe('mismatch')
    expect(result.refusal).toMatchObject({
      reason: 'summary_mismatch',
      code: 'STATEMENT_SUMMARY_MISMATCH',
      line: 16,
      column: '#交易合计 笔数',
      entry: `${ALIPAY_NAME}_业务明细.csv`,
      params: { declared: '6', parsed: '5' },
    })
    expect(result.refusal!.zh).toBe('账单自检失败：第 16 行“#交易合计 笔数”为 6，明细合计为 5')
  })

  it('the refund rows and their total both gone: refused, not read as a day without refunds', async () => {
    // Found by the long statement fuzz: Alipay writes both totals, a kind without rows as 0笔.
    const text = editLines(fixtureText(ALIPAY_SAMPLE), (lines) => {
      for (let i = lines.length - 1; i >= 0; i--)
        if (/^\d+\t?,[^,]*,退款/.test(lines[i]!) || lines[i]!.startsWith('#退款合计')) lines.splice(i, 1)
    })
    const { result } = await readBytes(gbk(text), `${ALIPAY_NAME}_业务明细.csv`)
    expect(result.status).toBe('failed')
    expect(result.refusal).toMatchObject({ reason: 'summary_missing', params: { item: '#退款合计' } })
  })

  it('3: a # inside a product name is data; only whole # lines are comments', async () => {
    const text = editLines(fixtureText(ALIPAY_SAMPLE), (lines) => {
      lines[5] = lines[5]!.replace(',下单测试,', ',下单测试#1,')
      lines.splice(8, 0, '#一行注释')
    })
    const { lines, result } = await readBytes(gbk(text), `${ALIPAY_NAME}_业务明细.csv`)
    expect(result.status).toBe('parsed')
    expect(lines).toHaveLength(10)
    expect(lines[0]!.raw).toContain(',下单测试#1,')
    expect(lines[0]!.orderNo).toBe('service_1568601259302')
  })

  it('takes exactly one trailing TAB off a cell, and the older footer wording', async () => {
    const text = editLines(fixtureText(ALIPAY_SAMPLE), (lines) => {
      lines[5] = lines[5]!.replace('service_1568601259302\t,', 'service_1568601259302\t\t,')
      const i = lines.findIndex((l) => l.startsWith('#交易合计'))
      lines[i] = '#交易合计：6笔，交易金额共0.06元，优惠金额共0.00元'
      lines[i + 1] = '#退款合计：4笔，交易退款金额共-0.04元，优惠退款金额共0.00元'
    })
    const { lines, result } = await readBytes(gbk(text), 'detail.csv')
    expect(result.status).toBe('parsed')
    expect(lines[0]!.orderNo).toBe('service_1568601259302\t')
  })

  it('refuses a refund row with a positive amount, a bad amount and a cut file, each on its line', async () => {
    const sample = fixtureText(ALIPAY_SAMPLE)
    const positive = editLines(sample, (l) => (l[6] = l[6]!.replace(',-0.01,-0.01,', ',0.01,-0.01,')))
    expect((await readBytes(gbk(positive), 'd.csv')).result.refusal).toMatchObject({
      reason: 'bad_amount',
      messageId: 'statement.amountSign',
      line: 7,
      column: '订单金额（元）',
    })
    const bad = editLines(sample, (l) => (l[7] = l[7]!.replace(',0.01,0.01,', ',0.010,0.01,')))
    expect((await readBytes(gbk(bad), 'd.csv')).result.refusal).toMatchObject({
      reason: 'bad_amount',
      line: 8,
    })
    const cut = sample.slice(0, sample.indexOf('#-----------------------------------------业务明细列表结束'))
    expect((await readBytes(gbk(cut), 'd.csv')).result.refusal).toMatchObject({
      reason: 'summary_missing',
      code: 'STATEMENT_SUMMARY_MISMATCH',
      line: 15,
      params: { item: '业务明细列表结束' },
    })
  })
})

describe('A17.4-6 and 8 WeChat', () => {
  it('4: the ALL sample with a U+FEFF first gives 3 pay lines and a summary that adds up', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture(WECHAT_ALL_SAMPLE)])
    const { lines, result } = await readBytes(bytes, 'bill.csv')
    expect(result).toMatchObject({
      status: 'parsed',
      format: 'wechat_trade',
      layout: 'ALL',
      account: '1601959334',
    })
    expect(
      lines.map((l) => [l.kind, l.orderNo, l.gatewayTradeNo, l.amount, l.settleAmount, l.feeE5]),
    ).toEqual([
      ['pay', 'S20210128170702357723', '4200000925202101284997714292', 1, 1, 0],
      ['pay', 'S20210128153505214586', '4200000910202101282955148400', 1, 1, 0],
      ['pay', 'S20210128165824499930', '4200000926202101281412639609', 1, 1, 0],
    ])
    expect(lines[0]).toMatchObject({
      lineNo: 2,
      lineTime: bj('2021-01-28 17:07:11'),
      subMerchant: '0',
      gatewayStatus: 'SUCCESS',
    })
    expect(result.checks).toHaveLength(7)
    expect(result.checks.every((c) => c.ok && c.binding)).toBe(true)
  })

  it('4: a cell without its backtick fails the file; so does an id in scientific notation', async () => {
    const sample = fixtureText(WECHAT_ALL_SAMPLE)
    const noTick = sample.replace('`S20210128153505214586', 'S20210128153505214586')
    expect((await readBytes(Buffer.from(noTick), 'b.csv')).result).toMatchObject({
      status: 'failed',
      refusal: { reason: 'missing_backtick', line: 3, column: '商户订单号' },
    })
    const sci = sample.replace('`4200000925202101284997714292', '`4.2E+27')
    expect((await readBytes(Buffer.from(sci), 'b.csv')).result).toMatchObject({
      status: 'failed',
      refusal: { reason: 'damaged_number', line: 2, column: '微信订单号', params: { value: '4.2E+27' } },
    })
  })

  it('5: the REFUND sample: amounts are 申请退款金额, times the refunds’ acceptance, not 交易时间', async () => {
    const { lines, result } = await readBytes(fixture(WECHAT_REFUND_SAMPLE), 'refund.csv')
    expect(result).toMatchObject({ status: 'parsed', layout: 'REFUND' })
    expect(
      lines.map((l) => [l.kind, l.orderNo, l.refundNo, l.gatewayRefundNo, l.amount, l.lineTime]),
    ).toEqual([
      [
        'refund',
        'S20210124161554311546',
        'S20210201143320649393',
        '50300807172021020106006664916',
        1,
        bj('2021-02-01 14:33:21'),
      ],
      [
        'refund',
        'S20210119083100844726118382',
        'S20210201140044552846',
        '50300907032021020105978998710',
        1,
        bj('2021-02-01 14:00:45'),
      ],
    ])
    expect(lines[0]!.raw.startsWith('`2021-01-24 16:16:25,')).toBe(true)
    expect(lines[1]!.raw.startsWith('`2021-01-19 16:31:18,')).toBe(true)
  })

  it('6: the SHA-1 of the uncompressed file is checked, the compressed bytes as the fallback, else refused', async () => {
    const file = Buffer.concat([Buffer.from('\uFEFF'), fixture(WECHAT_ALL_SAMPLE)])
    const gz = zlib.gzipSync(file)
    const sha1 = (b: Buffer) => crypto.createHash('sha1').update(b).digest('hex')
    const ok = await readBytes(gz, 'bill.csv.gz', { expectedSha1: sha1(file).toUpperCase() })
    expect(ok.result).toMatchObject({
      status: 'parsed',
      hash: { matchedOn: 'decompressed', compressed: sha1(gz) },
    })
    expect(ok.lines).toHaveLength(3)
    const fallback = await readBytes(gz, 'bill.csv.gz', { expectedSha1: sha1(gz) })
    expect(fallback.result).toMatchObject({ status: 'parsed', hash: { matchedOn: 'compressed' } })
    const wrong = await readBytes(gz, 'bill.csv.gz', { expectedSha1: sha1(Buffer.from('other')) })
    expect(wrong.result).toMatchObject({
      status: 'failed',
      integrity: 'mismatch',
      hash: { matchedOn: null, decompressed: sha1(file) },
      refusal: { reason: 'hash_mismatch', code: 'STATEMENT_HASH_MISMATCH', line: null },
    })
    // A damaged file whose hash fails is refused for the hash, the evidence that it is not WeChat's.
    const damaged = Buffer.from(fixtureText(WECHAT_ALL_SAMPLE).replace('`0.03', '`0.04'))
    expect((await readBytes(damaged, 'b.csv', { expectedSha1: sha1(file) })).result.refusal?.reason).toBe(
      'hash_mismatch',
    )
    expect((await readBytes(damaged, 'b.csv')).result.refusal?.reason).toBe('summary_mismatch')
    // A gzip cut in half: the hash names it; without a hash, the damaged gzip does.
    const half = gz.subarray(0, gz.length >> 1)
    expect((await readBytes(half, 'b.csv.gz', { expectedSha1: sha1(file) })).result.refusal?.reason).toBe(
      'hash_mismatch',
    )
    expect((await readBytes(half, 'b.csv.gz')).result.refusal).toMatchObject({
      reason: 'bad_archive',
      messageId: 'statement.gzipDamaged',
    })
  })

  it('8: exact money: a refund of 0.29 is 29 fen, a fee of 0.04000 is 4 000 e5', async () => {
    const bill = wechatBillDownload({
      mchid: '1900000001',
      rows: [
        {
          kind: 'pay',
          orderNo: 'P1',
          amount: 600,
          time: bj('2026-10-03 10:00:00'),
          feeE5: 4000,
          gatewayTradeNo: '42001',
        },
        {
          kind: 'refund',
          orderNo: 'P1',
          refundNo: 'R1',
          amount: 29,
          time: bj('2026-10-03 11:00:00'),
          gatewayTradeNo: '42001',
          gatewayRefundNo: '5031',
        },
      ],
    })
    const text = bill.file.toString('utf8')
    expect(text).toContain('`0.29,')
    expect(text).toContain('`0.04000,')
    const { lines } = await readBytes(bill.file, 'b.csv')
    expect(lines.map((l) => [l.kind, l.amount, l.feeE5])).toEqual([
      ['pay', 600, 4000],
      ['refund', 29, 0],
    ])
    // What the float reading does, and the reason there is none here (DaxPay 2.0.8, A2 defect 6).
    expect(Math.trunc(parseFloat('0.29') * 100)).toBe(28)
    expect(yuanToFenExact('0.29')).toBe(29)
  })

  it('accepts full-width colons in times, as WeChat’s own v2 sample writes them', async () => {
    const sample = fixtureText(WECHAT_ALL_SAMPLE).replace('`2021-01-28 17:07:11', '`2021-01-28 17：07：11')
    const { lines } = await readBytes(Buffer.from(sample), 'b.csv')
    expect(lines[0]!.lineTime).toBe(bj('2021-01-28 17:07:11'))
    const bad = fixtureText(WECHAT_ALL_SAMPLE).replace('`2021-01-28 17:07:11', '`2021-02-30 17:07:11')
    expect((await readBytes(Buffer.from(bad), 'b.csv')).result.refusal).toMatchObject({
      reason: 'bad_time',
      line: 2,
      column: '交易时间',
    })
  })

  it('reads a bill a person downloaded as GBK, and refuses a fund bill with a sentence', async () => {
    const { lines, result } = await readBytes(iconv.encode(fixtureText(WECHAT_REFUND_SAMPLE), 'gbk'), 'r.csv')
    expect(result).toMatchObject({ status: 'parsed', encoding: 'gb18030' })
    expect(lines).toHaveLength(2)
    const fund = Buffer.from(
      '记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号\n',
    )
    expect((await readBytes(fund, 'f.csv')).result.refusal).toMatchObject({
      reason: 'unknown_format',
      messageId: 'statement.wechatFund',
      line: 1,
    })
  })

  it('refuses a row with a comma too many, a missing summary and anything after the summary', async () => {
    const sample = fixtureText(WECHAT_ALL_SAMPLE)
    const comma = sample.replace('`for testing,', '`for, testing,')
    expect((await readBytes(Buffer.from(comma), 'b.csv')).result.refusal).toMatchObject({
      reason: 'column_count',
      line: 2,
      params: { found: 28, expected: 27 },
    })
    const cut = sample.slice(0, sample.indexOf('总交易单数'))
    expect((await readBytes(Buffer.from(cut), 'b.csv')).result.refusal).toMatchObject({
      reason: 'summary_missing',
      line: 4,
    })
    const extra = sample + '`2021-01-28 17:07:11\n'
    expect((await readBytes(Buffer.from(extra), 'b.csv')).result.refusal).toMatchObject({
      reason: 'trailing_garbage',
      line: 7,
    })
  })

  it('refuses a file of another merchant or another channel', async () => {
    const mine = { account: '1601959334', channel: 'wechat' as const }
    expect((await readBytes(fixture(WECHAT_ALL_SAMPLE), 'b.csv', mine)).result.status).toBe('parsed')
    expect(
      (await readBytes(fixture(WECHAT_ALL_SAMPLE), 'b.csv', { account: '1900000001' })).result.refusal,
    ).toMatchObject({
      reason: 'account_mismatch',
      code: 'STATEMENT_ACCOUNT_MISMATCH',
      line: 2,
      params: { found: '1601959334', expected: '1900000001' },
    })
    expect(
      (await readBytes(alipayZip(), 'a.zip', { account: '2088000000000001' })).result.refusal,
    ).toMatchObject({
      reason: 'account_mismatch',
      line: 2,
    })
    const other = await readBytes(fixture(WECHAT_ALL_SAMPLE), 'b.csv', { channel: 'alipay' })
    expect(other.result.refusal).toMatchObject({
      reason: 'account_mismatch',
      messageId: 'statement.channelMismatch',
    })
    expect(other.result.refusal!.zh).toBe('这是微信支付的对账单，不是支付宝的')
  })
})

describe('A17.9-10 UnionPay', () => {
  it('9: the synthetic sample, sliced by GBK bytes past a Chinese 二级商户简称', async () => {
    const bytes = fixture(UNIONPAY_SAMPLE)
    const { lines, result } = await readBytes(bytes, UNIONPAY_SAMPLE)
    expect(result).toMatchObject({
      status: 'parsed',
      format: 'unionpay_zm',
      integrity: 'unavailable',
      account: '898000000000001',
      billDate: '2026-10-03',
      checks: [],
    })
    expect(lines[0]).toMatchObject({
      kind: 'pay',
      orderNo: 'PS20261003000003',
      gatewayTradeNo: '512610031000300000001',
      amount: 3580,
      settleAmount: 3559,
      feeE5: -21_000,
      gatewayStatus: '01',
      lineTime: bj('2026-10-03 10:00:30'),
      account: '898000000000001',
    })
    expect(lines[0]!.raw).toContain('洗衣店一号')
    expect(lines[1]).toMatchObject({
      kind: 'refund',
      refundNo: 'RF20261003000003',
      orderNo: 'PS20261003000003',
      gatewayRefundNo: '512610031520050000002',
      gatewayTradeNo: '512610031000300000001',
      amount: 3580,
      settleAmount: -3559,
      gatewayStatus: '04',
    })
    const line1 = bytes.subarray(0, 608)
    const gbkDecoder = new TextDecoder('gb18030')
    expect(zmField(line1, 32, gbkDecoder)).toBe('C000000003559') // 清算净额, offset 374
    expect(zmField(line1, 41, gbkDecoder)).toBe('C000000003559') // 清算金额, offset 509
    expect(unionpayFen(zmField(line1, 32, gbkDecoder))).toBe(3559)
    // What slicing the decoded characters reads there: the 5 Chinese characters are 10 GBK bytes.
    const chars = gbkDecoder.decode(line1)
    expect(chars.slice(374, 387)).toBe('00003559     ')
  })

  it('9: a line a character-counting writer padded (5 bytes too wide) is refused, not misread', async () => {
    const bytes = fixture(UNIONPAY_SAMPLE)
    const line1 = bytes.subarray(0, 608)
    const shifted = Buffer.concat([
      line1.subarray(0, 360),
      Buffer.alloc(5, 0x20),
      line1.subarray(360),
      Buffer.from('\r\n'),
    ])
    expect((await readBytes(shifted, UNIONPAY_SAMPLE)).result.refusal).toMatchObject({
      reason: 'column_count',
      messageId: 'statement.zmWidth',
      line: 1,
      params: { found: 613 },
    })
    const inner = Buffer.from(line1)
    inner.copyWithin(201, 200, 300) // one byte shifted inside the line, length unchanged
    expect(
      (await readBytes(Buffer.concat([inner, Buffer.from('\r\n')]), UNIONPAY_SAMPLE)).result.refusal,
    ).toMatchObject({
      reason: 'column_count',
      messageId: 'statement.zmSeparator',
      line: 1,
    })
  })

  it('accepts the 42-field line (607 bytes) and a line cut before the reserved field (541 bytes)', async () => {
    const line1 = fixture(UNIONPAY_SAMPLE).subarray(0, 608)
    for (const length of [607, 541]) {
      const { lines, result } = await readBytes(
        Buffer.concat([line1.subarray(0, length), Buffer.from('\r\n')]),
        UNIONPAY_SAMPLE,
      )
      expect(result.status).toBe('parsed')
      expect(lines[0]).toMatchObject({ orderNo: 'PS20261003000003', amount: 3580, settleAmount: 3559 })
    }
    const short = await readBytes(
      Buffer.concat([line1.subarray(0, 540), Buffer.from('\r\n')]),
      UNIONPAY_SAMPLE,
    )
    expect(short.result.refusal).toMatchObject({ reason: 'column_count', params: { found: 540 } })
  })

  it('10: 交易传输时间 1231235959 in the file of settle date 2027-01-01 is 2026-12-31 23:59:59', async () => {
    const bill = unionpayBill({
      merId: '898000000000001',
      settleDate: '2027-01-01',
      rows: [
        { kind: 'pay', orderNo: 'PSY1', amount: 100, time: bj('2026-12-31 23:59:59'), gatewayTradeNo: 'Q1' },
        { kind: 'pay', orderNo: 'PSY2', amount: 100, time: bj('2027-01-01 00:00:01'), gatewayTradeNo: 'Q2' },
      ],
    })
    expect(bill.entryName).toBe('INN27010188ZM_898000000000001')
    expect(bill.zm.subarray(35, 45).toString()).toBe('1231235959')
    const { lines } = await readBytes(decodeUnionpayFileContent(bill.fileContent), bill.fileName)
    expect(lines.map((l) => l.lineTime)).toEqual([bj('2026-12-31 23:59:59'), bj('2027-01-01 00:00:01')])
  })

  it('needs a settle date from the name or the caller; reads fileContent deflated with or without the zlib wrapper', async () => {
    const bytes = fixture(UNIONPAY_SAMPLE)
    expect((await readBytes(bytes, 'zm.txt')).result.refusal).toMatchObject({
      reason: 'bad_layout',
      messageId: 'statement.unionpayNoDate',
    })
    const dated = await readBytes(bytes, 'zm.txt', { settleDate: '2026-10-03' })
    expect(dated.result).toMatchObject({ status: 'parsed', billDate: '2026-10-03', account: null })
    const rows = [
      {
        kind: 'pay' as const,
        orderNo: 'PS1',
        amount: 1,
        time: bj('2026-10-03 09:00:00'),
        gatewayTradeNo: 'Q1',
      },
    ]
    for (const deflate of ['zlib', 'raw'] as const) {
      const bill = unionpayBill({ merId: '898000000000001', settleDate: '2026-10-03', rows }, { deflate })
      const { lines, result } = await readBytes(decodeUnionpayFileContent(bill.fileContent), bill.fileName)
      expect(result).toMatchObject({ status: 'parsed', entries: ['INN26100388ZM_898000000000001'] })
      expect(lines[0]!.orderNo).toBe('PS1')
    }
    expect(() => decodeUnionpayFileContent('not base64!')).toThrow(/base64/)
    expect(() => decodeUnionpayFileContent(Buffer.from('garbage').toString('base64'))).toThrow()
  })
})

describe('A17.11 and sniffing', () => {
  it('11: an Alipay personal export is refused with the Chinese hint', async () => {
    const personal =
      '------------------------------------------------------------------------------------\n导出信息：\n姓名：张三\n' +
      '交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,商家订单号,备注,\n'
    for (const bytes of [
      Buffer.from(personal),
      gbk(personal),
      gbk('------------支付宝（中国）网络技术有限公司  电子客户回单\n'),
    ]) {
      const { result } = await readBytes(bytes, 'alipay_record.csv')
      expect(result).toMatchObject({
        status: 'failed',
        refusal: {
          reason: 'unknown_format',
          code: 'STATEMENT_FORMAT_UNKNOWN',
          messageId: 'statement.personalAlipay',
        },
      })
      expect(result.refusal!.zh).toBe('这是个人账单，请在商家平台下载业务明细')
    }
  })

  it('shows the first line of a file it cannot recognise, and says when a file is empty', async () => {
    const { result } = await readBytes(Buffer.from('\n\norderNo,amount\nA1,100\n'), 'x.csv')
    expect(result.refusal).toMatchObject({ reason: 'unknown_format', line: 3 })
    expect(result.refusal!.zh).toBe('无法识别的对账单格式（第 3 行：orderNo,amount）')
    expect((await readBytes(Buffer.alloc(0), 'x.csv')).result.refusal).toMatchObject({
      messageId: 'statement.empty',
    })
    const fund = gbk('#支付宝账务明细查询\n#账号：[20880000000000000156]\n')
    expect((await readBytes(fund, 'x.csv')).result.refusal).toMatchObject({
      messageId: 'statement.alipayFund',
    })
    const zipOfOther = zipArchive([{ name: 'readme.txt', data: Buffer.from('hello\n'), mtime: 0 }])
    expect((await readBytes(zipOfOther, 'x.zip')).result.refusal).toMatchObject({
      reason: 'unknown_format',
      messageId: 'statement.unknown',
    })
  })
})

describe('what the person is told', () => {
  it('a status word no bill has shown is listed as other, once per word, never matched', async () => {
    const sample = fixtureText(WECHAT_ALL_SAMPLE)
    const odd = sample.replace('`SUCCESS', '`__proto__').replace('`SUCCESS', '`CLOSED')
    const { lines, result } = await readBytes(Buffer.from(odd), 'b.csv')
    expect(result.status).toBe('parsed')
    expect(lines.map((l) => l.kind)).toEqual(['other', 'other', 'pay'])
    expect(result.notices.map((n) => [n.messageId, n.params.value, n.params.line])).toEqual([
      ['statement.unexpectedValue', '__proto__', 2],
      ['statement.unexpectedValue', 'CLOSED', 3],
    ])
    expect(result.notices[0]!.zh).toBe(
      '“交易状态”出现无法识别的值“__proto__”（第 2 行起，共 1 行），这些行列为“其他”，不参与匹配',
    )
  })

  it('a header column no layout has is reported and not read', async () => {
    const sample = fixtureText(WECHAT_REFUND_SAMPLE).replace('退款申请时间', '退款受理时间')
    const { lines, result } = await readBytes(Buffer.from(sample), 'b.csv')
    expect(result).toMatchObject({ status: 'parsed', layout: 'ALL' })
    expect(result.notices.map((n) => n.zh)).toEqual([
      '第 1 行的表头有无法识别的列：退款受理时间（这些列不读取）',
    ])
    // Without the acceptance time the refund's time is its 交易时间, as in an ALL bill.
    expect(lines[0]!.lineTime).toBe(bj('2021-01-24 16:16:25'))
  })

  it('an Alipay file without its #账号 or date line is not one Alipay wrote', async () => {
    const text = editLines(fixtureText(ALIPAY_SAMPLE), (lines) => lines.splice(1, 1))
    expect((await readBytes(gbk(text), 'd.csv')).result.refusal).toMatchObject({
      reason: 'bad_layout',
      messageId: 'statement.missingHeaderLine',
      line: 3,
      params: { item: '#账号' },
    })
  })
})

describe('the reader', () => {
  it('hands lines over in batches of the size asked, and its verdict only at the end', async () => {
    const reading = readStatement(bufferSource(gbk(fixtureText(ALIPAY_SAMPLE)), 'd.csv'), { batchSize: 3 })
    expect(() => reading.result).toThrow(/not been read/)
    const sizes: number[] = []
    for await (const batch of reading) sizes.push(batch.length)
    expect(sizes).toEqual([3, 3, 3, 1])
    expect(reading.result.status).toBe('parsed')
  })

  it('refuses a zip whose entry fails its CRC-32, and reads names flagged UTF-8 that are GBK', async () => {
    const zip = alipayZip()
    const bad = Buffer.from(zip)
    // The CRC-32 in the central directory (its offset 16) of the only entry.
    const central = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    bad.writeUInt32LE((bad.readUInt32LE(central + 16) ^ 1) >>> 0, central + 16)
    expect((await readBytes(bad, 'a.zip')).result.refusal).toMatchObject({
      reason: 'bad_archive',
      messageId: 'statement.zipDamaged',
      line: null,
    })
    const flagged = zipArchive([
      {
        name: `${ALIPAY_NAME}_业务明细.csv`,
        data: gbk(fixtureText(ALIPAY_SAMPLE)),
        mtime: 0,
        utf8Flag: true,
      },
    ])
    expect(flagged.readUInt16LE(6) & 0x800).toBe(0x800)
    const { result } = await readBytes(flagged, 'a.zip')
    expect(result).toMatchObject({ status: 'parsed', entries: [`${ALIPAY_NAME}_业务明细.csv`] })
  })
})

describe('zip entry names', () => {
  // Found by the long fuzz (seed 364136): one flipped bit turned INN261003… into INN361003… in the
  // central directory, and every line of a UnionPay bill moved ten years while every check passed.
  it('refuses an entry whose local and central names differ, whichever copy was hit', async () => {
    const rows = [
      {
        kind: 'pay' as const,
        orderNo: 'PS1',
        amount: 1,
        time: bj('2026-10-03 09:00:00'),
        gatewayTradeNo: 'Q1',
      },
    ]
    const bill = unionpayBill({ merId: '898000000000001', settleDate: '2026-10-03', rows })
    const zip = decodeUnionpayFileContent(bill.fileContent)
    const name = Buffer.from(bill.entryName)
    const local = zip.indexOf(name)
    const central = zip.indexOf(name, local + 1)
    expect([local, central].every((at) => at > 0)).toBe(true)
    for (const at of [local, central]) {
      const bad = Buffer.from(zip)
      bad[at + 3] = 0x33 // INN2… becomes INN3…: another year
      const { result, lines } = await readBytes(bad, bill.fileName)
      expect(result.refusal, `name copy at ${at}`).toMatchObject({
        reason: 'bad_archive',
        messageId: 'statement.zipDamaged',
      })
      expect(lines).toEqual([])
    }
    expect((await readBytes(zip, bill.fileName)).result.status).toBe('parsed')
  })
})

describe('the amount grammar (A5.6)', () => {
  it('reads yuan, fees and UnionPay amounts exactly, and nothing else', () => {
    expect([
      yuanToFenExact('0.29'),
      yuanToFenExact('88'),
      yuanToFenExact('35.8'),
      yuanToFenExact('-0.01'),
    ]).toEqual([29, 8800, 3580, -1])
    expect(Object.is(yuanToFenExact('-0.00'), 0)).toBe(true)
    expect(yuanToFenExact('999999999999.99')).toBe(99_999_999_999_999)
    for (const bad of [
      '',
      '1.234',
      '1e3',
      '1,000.00',
      '+1.00',
      ' 1.00',
      '.5',
      '1.',
      '0x10',
      '１.00',
      '1000000000000.00',
    ])
      expect(yuanToFenExact(bad), bad).toBeNull()
    expect([feeToE5('0.04000'), feeToE5('-0.02'), feeToE5('6'), feeToE5('0.00001')]).toEqual([
      4000, -2000, 600_000, 1,
    ])
    expect(feeToE5('0.000001')).toBeNull()
    expect(feeToE5('999999999999.99999')).toBeNull() // beyond exact integers
    expect([unionpayFen('C000000003559'), unionpayFen('D000000000021'), unionpayFen('000000003580')]).toEqual(
      [3559, -21, 3580],
    )
    for (const bad of ['', 'X000000000001', 'C-1', 'C 1', '12345678901234'])
      expect(unionpayFen(bad), bad).toBeNull()
    expect([
      isScientific('4.2E+27'),
      isScientific('1.23457e17'),
      isScientific('42'),
      isScientific('E5'),
    ]).toEqual([true, true, false, false])
  })
})
