import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { beijing, cell, yuan, yuanE5 } from './format'
import type { BillTrade } from './types'

// WeChat Pay's trade bill as `GET /v3/billdownload/file` serves it (docs/reconcile.md A1.2): UTF-8,
// the detail header, one row per payment or refund with a backtick before every cell, the summary
// header and its one row; ALL (27 columns), SUCCESS (20), REFUND (29) and the v2-era legacy layout
// (24, 总金额 and 子商户号). The Go client's test samples are reproduced byte for byte. The apply
// answer's `hash_value` is the SHA-1 of these bytes before gzip. Faults (A14): `truncated` drops the
// last detail row but keeps the summary; `hashMismatch` gives a hash of other bytes.

export type WechatBillType = 'ALL' | 'SUCCESS' | 'REFUND'

export interface WechatBillRow extends BillTrade {
  appid?: string
  subMchid?: string
  device?: string
  openid?: string
  tradeType?: string
  bank?: string
  /** 代金券金额 of a payment, fen: 应结订单金额 is the order amount less it. */
  coupon?: number
  /** 充值券退款金额 of a refund, fen: 退款金额 is the requested refund less it. */
  rechargeCouponRefund?: number
  refundType?: string
  attach?: string
  /** 费率, e.g. `0.60%`. */
  rate?: string
  rateRemark?: string
}

export interface WechatBillOptions {
  mchid: string
  appid?: string
  /** 特约商户号 (子商户号 in the legacy layout); `0` for a direct merchant. */
  subMchid?: string
  billType?: WechatBillType
  /** The v2-era layout of merchants without 免充值券. */
  legacy?: boolean
  rows: WechatBillRow[]
  /** A U+FEFF first, as v2-era files had. */
  bom?: boolean
  eol?: '\n' | '\r\n'
  /** Count only the SUCCESS rows in 总交易单数 (the other reading of A10, unverified). */
  countSuccessOnly?: boolean
  truncated?: boolean
}

export const ALL_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注'
export const SUCCESS_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注'
export const REFUND_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注'
export const LEGACY_HEADER =
  '交易时间,公众账号ID,商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,总金额,代金券或立减优惠金额,微信退款单号,商户退款单号,退款金额,代金券或立减优惠退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率'
export const SUMMARY_HEADER =
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额'
export const LEGACY_SUMMARY_HEADER = '总交易单数,总交易额,总退款金额,总代金券或立减优惠退款金额,手续费总金额'

/** A row's money by column, in fen. */
function rowMoney(row: WechatBillRow): Record<string, number> {
  const refund = row.kind === 'refund'
  const coupon = refund ? 0 : (row.coupon ?? 0)
  const recharge = refund ? (row.rechargeCouponRefund ?? 0) : 0
  const orderAmount = refund ? 0 : row.amount
  return {
    应结订单金额: orderAmount - coupon,
    代金券金额: coupon,
    总金额: orderAmount,
    代金券或立减优惠金额: coupon,
    退款金额: refund ? row.amount - recharge : 0,
    充值券退款金额: recharge,
    代金券或立减优惠退款金额: recharge,
    订单金额: orderAmount,
    申请退款金额: refund ? row.amount : 0,
  }
}

/** Every column a row of any layout may have, by header name. */
function columns(o: WechatBillOptions, row: WechatBillRow): Record<string, string> {
  const refund = row.kind === 'refund'
  const status = row.kind === 'pay' ? 'SUCCESS' : refund ? 'REFUND' : 'REVOKED'
  const m = rowMoney(row)
  const refundStatus = row.status ?? 'SUCCESS'
  return {
    // A refund row's 交易时间 is the payment's (the REFUND sample: 2021-01-24 in the 2021-02-01 bill).
    交易时间: beijing(refund ? (row.payTime ?? row.time) : row.time),
    公众账号ID: row.appid ?? o.appid ?? 'wx0000000000000000',
    商户号: o.mchid,
    特约商户号: row.subMchid ?? o.subMchid ?? '0',
    子商户号: row.subMchid ?? o.subMchid ?? '',
    设备号: row.device ?? '',
    微信订单号: row.gatewayTradeNo ?? '',
    商户订单号: row.orderNo,
    用户标识: row.openid ?? 'oUser000000000000000000000000',
    交易类型: row.tradeType ?? 'NATIVE',
    交易状态: status,
    付款银行: row.bank ?? 'OTHERS',
    货币种类: 'CNY',
    应结订单金额: yuan(m.应结订单金额!),
    代金券金额: yuan(m.代金券金额!),
    总金额: yuan(m.总金额!),
    代金券或立减优惠金额: yuan(m.代金券或立减优惠金额!),
    退款申请时间: refund ? beijing(row.time) : '',
    退款成功时间: refund && refundStatus === 'SUCCESS' ? beijing(row.finishedAt ?? row.time + 3000) : '',
    微信退款单号: refund ? (row.gatewayRefundNo ?? '') : '0',
    商户退款单号: refund ? (row.refundNo ?? '') : '0',
    退款金额: yuan(m.退款金额!),
    充值券退款金额: yuan(m.充值券退款金额!),
    代金券或立减优惠退款金额: yuan(m.代金券或立减优惠退款金额!),
    退款类型: refund ? (row.refundType ?? 'ORIGINAL') : '',
    退款状态: refund ? refundStatus : '',
    商品名称: row.subject ?? '商品',
    商户数据包: row.attach ?? '',
    手续费: yuanE5(row.feeE5 ?? 0),
    费率: row.rate ?? '0.60%',
    订单金额: yuan(m.订单金额!),
    申请退款金额: yuan(m.申请退款金额!),
    费率备注: row.rateRemark ?? '',
  }
}

/** The detail header of the bill's layout. */
export function wechatBillHeader(o: WechatBillOptions): string {
  if (o.legacy) return LEGACY_HEADER
  return { ALL: ALL_HEADER, SUCCESS: SUCCESS_HEADER, REFUND: REFUND_HEADER }[o.billType ?? 'ALL']
}

/** The rows a bill type holds: a SUCCESS bill has the payments, a REFUND bill the refunds. */
export function billRows(o: WechatBillOptions): WechatBillRow[] {
  const type = o.billType ?? 'ALL'
  return o.rows.filter((r) => type === 'ALL' || (type === 'SUCCESS' ? r.kind === 'pay' : r.kind === 'refund'))
}

/** A detail line, without its line end. */
export function wechatBillRow(o: WechatBillOptions, row: WechatBillRow): string {
  const values = columns(o, row)
  return wechatBillHeader(o)
    .split(',')
    .map((name) => '`' + cell(values[name]!))
    .join(',')
}

/** The summary header and row, from every row of the bill (kept when truncated); rows may stream. */
export function wechatBillSummary(
  o: WechatBillOptions,
  rows: Iterable<WechatBillRow> = billRows(o),
): string[] {
  const names = (o.legacy ? LEGACY_SUMMARY_HEADER : SUMMARY_HEADER).split(',')
  const sums = new Map<string, number>()
  let all = 0
  let success = 0
  for (const row of rows) {
    all += 1
    if (row.kind === 'pay') success += 1
    for (const [name, fen] of Object.entries(rowMoney(row))) sums.set(name, (sums.get(name) ?? 0) + fen)
    sums.set('手续费', (sums.get('手续费') ?? 0) + (row.feeE5 ?? 0))
  }
  const count = o.countSuccessOnly ? success : all
  const of: Record<string, string> = {
    总交易单数: String(count),
    应结订单总金额: yuan(sums.get('应结订单金额') ?? 0),
    退款总金额: yuan(sums.get('退款金额') ?? 0),
    充值券退款总金额: yuan(sums.get('充值券退款金额') ?? 0),
    手续费总金额: yuanE5(sums.get('手续费') ?? 0),
    订单总金额: yuan(sums.get('订单金额') ?? 0),
    申请退款总金额: yuan(sums.get('申请退款金额') ?? 0),
    总交易额: yuan(sums.get('总金额') ?? 0),
    总退款金额: yuan(sums.get('退款金额') ?? 0),
    总代金券或立减优惠退款金额: yuan(sums.get('代金券或立减优惠退款金额') ?? 0),
  }
  return [names.join(','), names.map((n) => '`' + of[n]!).join(',')]
}

export function wechatBillText(o: WechatBillOptions): string {
  const eol = o.eol ?? '\n'
  const rows = billRows(o)
  const shown = o.truncated ? rows.slice(0, -1) : rows
  const lines = [wechatBillHeader(o), ...shown.map((r) => wechatBillRow(o, r)), ...wechatBillSummary(o, rows)]
  return (o.bom ? '\uFEFF' : '') + lines.join(eol) + eol
}

/** Lines as UTF-8 bytes, a few hundred at a time. */
function* utf8Chunks(lines: Iterable<string>, eol: string, bom: boolean): Generator<Buffer> {
  let batch: string[] = []
  let first = bom
  for (const line of lines) {
    batch.push(line)
    if (batch.length >= 512) {
      yield Buffer.from((first ? '\uFEFF' : '') + batch.join(eol) + eol, 'utf8')
      first = false
      batch = []
    }
  }
  if (batch.length || first) yield Buffer.from((first ? '\uFEFF' : '') + batch.join(eol) + eol, 'utf8')
}

/**
 * The bytes of wechatBillText, produced as they are read (a million-line day in bounded memory):
 * `rows` is asked for the rows again for each pass (the detail, the summary).
 */
export function wechatBillChunks(
  o: Omit<WechatBillOptions, 'rows'>,
  rows: () => Iterable<WechatBillRow>,
): Generator<Buffer> {
  const opts: WechatBillOptions = { ...o, rows: [] }
  const type = o.billType ?? 'ALL'
  function* kept(): Generator<WechatBillRow> {
    for (const r of rows())
      if (type === 'ALL' || (type === 'SUCCESS' ? r.kind === 'pay' : r.kind === 'refund')) yield r
  }
  function* lines(): Generator<string> {
    yield wechatBillHeader(opts)
    let held: WechatBillRow | null = null
    for (const row of kept()) {
      if (held) yield wechatBillRow(opts, held)
      held = row
    }
    if (held && !o.truncated) yield wechatBillRow(opts, held)
    yield* wechatBillSummary(opts, kept())
  }
  return utf8Chunks(lines(), o.eol ?? '\n', o.bom ?? false)
}

export interface WechatBillDownload {
  /** The bill as WeChat builds it (what `hash_value` digests). */
  file: Buffer
  /** What the download answers: the file, gzipped when `tar_type=GZIP`. */
  body: Buffer
  hashType: 'SHA1'
  hashValue: string
}

export function wechatBillDownload(
  o: WechatBillOptions,
  options: { gzip?: boolean; hashMismatch?: boolean } = {},
): WechatBillDownload {
  const file = Buffer.from(wechatBillText(o), 'utf8')
  const digested = options.hashMismatch ? Buffer.concat([file, Buffer.from('\n')]) : file
  return {
    file,
    body: options.gzip ? zlib.gzipSync(file) : file,
    hashType: 'SHA1',
    hashValue: crypto.createHash('sha1').update(digested).digest('hex'),
  }
}
