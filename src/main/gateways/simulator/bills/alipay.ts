import { beijing, beijingChinese, cell, compactDate, dayStart, e5ToFen, gbk, yuan } from './format'
import type { BillTrade } from './types'
import { piped } from './stream'
import { ZipStream, zipArchive } from './zip'

// Alipay's trade bill as `alipay.data.dataservice.bill.downloadurl.query` hands it out (docs/reconcile.md
// A1.1): `{PID}_{yyyyMMdd}.csv.zip` holding `…_业务明细.csv` and `…_业务明细(汇总).csv`, GBK names
// without the UTF-8 flag, GBK contents. The detail file follows the public sample byte for byte: the
// comment header, the markers (`#` + 41 dashes + text + 40 / + 36), the 25 columns with the trailing
// TAB after the cells Alipay guards against spreadsheets, refund amounts negative, the footers
// (counts per 业务类型 and Σ 商家实收) and the export time. Faults (A14): `truncated` drops the last
// detail row but keeps every total; `utf8NameFlag` sets the UTF-8 flag over the GBK names.

export interface AlipayBillRow extends BillTrade {
  storeNo?: string
  storeName?: string
  operator?: string
  terminal?: string
  /** 对方账户, masked as Alipay writes it. */
  buyer?: string
  /** 创建时间 of a payment (its order's creation); `time` unless given. */
  createdAt?: number
  /** 商家优惠（元）in fen, positive; 商家实收 is the order amount less it. */
  discount?: number
  remark?: string
}

export interface AlipayBillOptions {
  pid: string
  /** The bill day, YYYY-MM-DD (Beijing). */
  date: string
  exportedAt: number
  rows: AlipayBillRow[]
  /** Line ends; the public sample has LF. */
  eol?: '\n' | '\r\n'
  /** The older footer wording, "交易金额共…，优惠金额共…". */
  oldFooterWording?: boolean
  truncated?: boolean
  utf8NameFlag?: boolean
  /** Leave the summary entry out of the zip. */
  withoutSummary?: boolean
}

export const DETAIL_HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注'
export const SUMMARY_HEADER =
  '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）'

const dashes = (n: number) => '-'.repeat(n)
export const DETAIL_START = `#${dashes(41)}业务明细列表${dashes(40)}`
export const DETAIL_END = `#${dashes(41)}业务明细列表结束${dashes(36)}`
export const SUMMARY_START = `#${dashes(41)}业务汇总列表${dashes(40)}`
export const SUMMARY_END = `#${dashes(40)}业务汇总列表结束${dashes(37)}`

/** One row's money as the files write it: signed yuan in fen. */
interface RowMoney {
  amount: number
  receipt: number
  discount: number
  fee: number
}

function money(row: AlipayBillRow): RowMoney {
  if (row.kind === 'revoke') throw new RangeError('an Alipay trade bill has no revoke rows')
  const sign = row.kind === 'refund' ? -1 : 1
  const discount = row.discount ?? 0
  return {
    amount: sign * row.amount || 0,
    receipt: sign * (row.amount - discount) || 0,
    discount: sign * discount || 0,
    fee: e5ToFen(row.feeE5 ?? 0),
  }
}

/** The detail line of a row, without its line end. */
export function alipayDetailRow(row: AlipayBillRow): string {
  const m = money(row)
  const refund = row.kind === 'refund'
  const t = (s: string) => `${cell(s)}\t`
  const subject = row.subject ?? '商品'
  return [
    t(row.gatewayTradeNo ?? ''),
    t(row.orderNo),
    t(refund ? '退款' : '交易'),
    cell(subject),
    beijing(refund ? (row.payTime ?? row.time) : (row.createdAt ?? row.time)),
    beijing(row.time),
    t(row.storeNo ?? ''),
    t(row.storeName ?? ''),
    t(row.operator ?? ''),
    t(row.terminal ?? ''),
    t(row.buyer ?? '*张三(138****0000)'),
    yuan(m.amount),
    yuan(m.receipt),
    '0.00',
    '0.00',
    '0.00',
    yuan(m.discount),
    '0.00',
    '',
    '0.00\t',
    '0.00',
    t(refund ? (row.refundNo ?? '') : ''),
    yuan(m.fee),
    '0.00',
    cell(row.remark ?? subject),
  ].join(',')
}

function window(o: AlipayBillOptions): string[] {
  const start = dayStart(o.date)
  return [
    `#账号：[${o.pid}]`,
    `#起始日期：[${beijingChinese(start)}]   终止日期：[${beijingChinese(start + 86_400_000)}]`,
  ]
}

export function alipayDetailHead(o: AlipayBillOptions): string[] {
  return ['#支付宝业务明细查询', ...window(o), DETAIL_START, DETAIL_HEADER]
}

/** The end marker, the footers and the export time, from the totals of every row (kept when truncated). */
export function alipayDetailTail(o: AlipayBillOptions, rows: Iterable<AlipayBillRow> = o.rows): string[] {
  let payCount = 0
  let payReceipt = 0
  let payDiscount = 0
  let refundCount = 0
  let refundReceipt = 0
  let refundDiscount = 0
  for (const row of rows) {
    const m = money(row)
    if (row.kind === 'refund') {
      refundCount += 1
      refundReceipt += m.receipt
      refundDiscount += m.discount
    } else {
      payCount += 1
      payReceipt += m.receipt
      payDiscount += m.discount
    }
  }
  const [settled, discounted, settledBack, discountedBack] = o.oldFooterWording
    ? ['交易金额', '优惠金额', '交易退款金额', '优惠退款金额']
    : ['商家实收', '商家优惠', '商家实收退款', '商家优惠退款']
  return [
    DETAIL_END,
    `#交易合计：${payCount}笔，${settled}共${yuan(payReceipt)}元，${discounted}共${yuan(payDiscount)}元`,
    `#退款合计：${refundCount}笔，${settledBack}共${yuan(refundReceipt)}元，${discountedBack}共${yuan(refundDiscount)}元`,
    `#导出时间：[${beijingChinese(o.exportedAt)}]`,
  ]
}

/** Rows but the last one (the `truncated` fault), passed on one behind. */
function* allButLast<T>(rows: Iterable<T>): Generator<T> {
  let held: { row: T } | null = null
  for (const row of rows) {
    if (held) yield held.row
    held = { row }
  }
}

/** Lines as GBK bytes, a few hundred at a time. */
function* gbkChunks(lines: Iterable<string>, eol: string): Generator<Buffer> {
  let batch: string[] = []
  for (const line of lines) {
    batch.push(line)
    if (batch.length >= 512) {
      yield gbk(batch.join(eol) + eol)
      batch = []
    }
  }
  if (batch.length) yield gbk(batch.join(eol) + eol)
}

/**
 * The same zip as alipayBillZip, written as it is read (a million-line day in bounded memory):
 * `rows` is asked for the rows again for each pass (the detail, its footers, the summary).
 */
export function alipayBillStream(
  o: Omit<AlipayBillOptions, 'rows'>,
  rows: () => Iterable<AlipayBillRow>,
): { name: string; body: () => AsyncIterable<Buffer> } {
  const base = `${o.pid}_${compactDate(o.date)}`
  const opts: AlipayBillOptions = { ...o, rows: [] }
  const eol = o.eol ?? '\n'
  function* detail(): Generator<string> {
    yield* alipayDetailHead(opts)
    for (const row of o.truncated ? allButLast(rows()) : rows()) yield alipayDetailRow(row)
    yield* alipayDetailTail(opts, rows())
  }
  return {
    name: `${base}.csv.zip`,
    body: () =>
      piped(async (sink) => {
        const zip = new ZipStream(sink)
        await zip.entry(`${base}_业务明细.csv`, o.exportedAt, gbkChunks(detail(), eol), o.utf8NameFlag)
        if (!o.withoutSummary)
          await zip.entry(
            `${base}_业务明细(汇总).csv`,
            o.exportedAt,
            [gbk(alipaySummaryText(opts, rows()))],
            o.utf8NameFlag,
          )
        await zip.end()
      }),
  }
}

export function alipayDetailText(o: AlipayBillOptions): string {
  const eol = o.eol ?? '\n'
  const shown = o.truncated ? o.rows.slice(0, -1) : o.rows
  const lines = [...alipayDetailHead(o), ...shown.map(alipayDetailRow), ...alipayDetailTail(o)]
  return lines.join(eol) + eol
}

export function alipaySummaryText(o: AlipayBillOptions, rows: Iterable<AlipayBillRow> = o.rows): string {
  const eol = o.eol ?? '\n'
  interface Store {
    no: string
    name: string
    pay: number
    refund: number
    amount: number
    receipt: number
    discount: number
    fee: number
  }
  const stores = new Map<string, Store>()
  const total: Store = { no: '合计', name: '', pay: 0, refund: 0, amount: 0, receipt: 0, discount: 0, fee: 0 }
  for (const row of rows) {
    const key = row.storeNo ?? ''
    let s = stores.get(key)
    if (!s) {
      s = {
        no: key,
        name: row.storeName ?? '',
        pay: 0,
        refund: 0,
        amount: 0,
        receipt: 0,
        discount: 0,
        fee: 0,
      }
      stores.set(key, s)
    }
    const m = money(row)
    for (const x of [s, total]) {
      if (row.kind === 'refund') x.refund += 1
      else x.pay += 1
      x.amount += m.amount
      x.receipt += m.receipt
      x.discount += m.discount
      x.fee += m.fee
    }
  }
  const line = (s: Store) =>
    [
      cell(s.no),
      cell(s.name),
      String(s.pay),
      String(s.refund),
      yuan(s.amount),
      yuan(s.receipt),
      '0.00',
      yuan(s.discount),
      '0.00',
      yuan(s.fee),
      '0.00',
      // 实收净额: what the merchant keeps, 商家实收 plus the (negative when charged) 服务费.
      yuan(s.receipt + s.fee),
    ].join(',')
  const lines = [
    '#支付宝业务汇总查询',
    ...window(o),
    SUMMARY_START,
    SUMMARY_HEADER,
    ...[...stores.values()].map(line),
    line(total),
    SUMMARY_END,
    `#导出时间：[${beijingChinese(o.exportedAt)}]`,
  ]
  return lines.join(eol) + eol
}

export interface AlipayBillFiles {
  /** `{PID}_{yyyyMMdd}.csv.zip` */
  name: string
  zip: Buffer
  /** The entries' names and GBK bytes, detail first. */
  entries: string[]
  detail: Buffer
  summary: Buffer
}

export function alipayBillZip(o: AlipayBillOptions): AlipayBillFiles {
  const base = `${o.pid}_${compactDate(o.date)}`
  const detail = gbk(alipayDetailText(o))
  const summary = gbk(alipaySummaryText(o))
  const entries = [`${base}_业务明细.csv`, ...(o.withoutSummary ? [] : [`${base}_业务明细(汇总).csv`])]
  const zip = zipArchive(
    entries.map((name, i) => ({
      name,
      data: i === 0 ? detail : summary,
      mtime: o.exportedAt,
      utf8Flag: o.utf8NameFlag,
    })),
  )
  return { name: `${base}.csv.zip`, zip, entries, detail, summary }
}
