import type { TradeType } from '../../../shared/domain'
import type { AmountUnit } from '../../../shared/import-report'
import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../../shared/mapping'

// Header recognition of docs/cli.md 3.2: case-insensitive, spaces and brackets ignored, English or
// Chinese. A saved column mapping (shared/mapping.ts) names columns the aliases do not know, per
// source system.

/**
 * The headers of each field. An amount header that says no unit (`amount`, `金额`, `实付金额`) is
 * listed under yuan: its unit is then decided by its values or by the person (amount-units.ts).
 */
export const ALIASES: Record<ImportField, string[]> = {
  orderNo: ['orderNo', 'out_trade_no', 'outTradeNo', '订单号', '商户订单号', '本地订单号', '订单编号'],
  bizOrderNo: ['bizOrderNo', '业务号', '本地业务号', '商户业务号', '业务订单号'],
  gatewayTradeNo: [
    'gatewayTradeNo',
    'trade_no',
    'tradeNo',
    'transaction_id',
    'transactionId',
    '网关订单号',
    '通道订单号',
    '支付宝交易号',
    '微信支付订单号',
    '微信订单号',
    '交易号',
  ],
  merchant: ['merchant', '商户', '应用', '商户配置'],
  channel: ['channel', '支付通道', '通道', '支付渠道', '渠道'],
  amountFen: ['amountFen', '金额(分)', '订单金额(分)', '交易金额(分)', '实付金额(分)'],
  amountYuan: [
    'amount',
    'totalFee',
    'amountYuan',
    '金额',
    '金额(元)',
    '订单金额',
    '订单金额(元)',
    '交易金额',
    '交易金额(元)',
    '实付金额',
    '实付金额(元)',
    '支付金额',
    '支付金额(元)',
  ],
  status: ['status', '状态', '订单状态', '支付状态', '退款状态', '交易状态'],
  title: ['title', 'subject', '标题', '商品名称', '订单标题'],
  kind: ['kind', '订单类型'],
  createdAt: ['createdAt', '创建时间', '下单时间'],
  expiredAt: ['expiredAt', '过期时间', '失效时间', '超时时间'],
  paidAt: ['paidAt', '支付时间', '付款时间'],
  refundNo: ['refundNo', 'out_refund_no', 'out_request_no', '退款号', '退款单号', '本地退款号'],
  bizRefundNo: ['bizRefundNo', '商户退款号', '业务退款号'],
  gatewayRefundNo: ['gatewayRefundNo', 'refund_id', '网关退款号', '通道退款号'],
  refundAmountFen: ['refundAmountFen', '退款金额(分)'],
  refundAmountYuan: ['refundAmount', 'refundAmountYuan', '退款金额', '退款金额(元)'],
}

/** How a header is compared: case, spaces, underscores in Chinese, and all kinds of brackets ignored. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s()（）[\]【】{}<>《》'"`]/g, '')
}

/** The unit a header names (金额(分), amountFen, 金额(元), amountYuan), or null when it names none. */
export function unitOfHeader(h: string): AmountUnit | null {
  const n = normalizeHeader(h)
  if (/分|fen$|fen[^a-z]/.test(n)) return 'fen'
  if (/元|yuan|rmb|cny/.test(n)) return 'yuan'
  return null
}

const LOOKUP = new Map<string, ImportField>()
for (const field of IMPORT_FIELDS)
  for (const alias of ALIASES[field]) LOOKUP.set(normalizeHeader(alias), field)

export interface HeaderMatch {
  /** Column index -> field. */
  fields: Map<number, ImportField>
  /** Columns whose field the mapping names, rather than a recognised header. */
  mapped: Set<number>
  /** Headers nobody knows: shown in the mapping editor, ignored on import. */
  unknown: string[]
  duplicates: string[]
}

export function matchHeaders(headers: string[], mapping?: ColumnMapping): HeaderMatch {
  const explicit = new Map<string, ImportField | null>()
  for (const [h, f] of Object.entries(mapping?.columns ?? {})) explicit.set(normalizeHeader(h), f)
  const fields = new Map<number, ImportField>()
  const mapped = new Set<number>()
  const seen = new Map<ImportField, string>()
  const unknown: string[] = []
  const duplicates: string[] = []
  headers.forEach((h, i) => {
    const n = normalizeHeader(h)
    if (n === '') return
    const field = explicit.has(n) ? explicit.get(n)! : (LOOKUP.get(n) ?? null)
    if (field === null) {
      if (!explicit.has(n)) unknown.push(h)
      return
    }
    if (seen.has(field)) {
      duplicates.push(`${h} (also ${seen.get(field)})`)
      return
    }
    seen.set(field, h)
    fields.set(i, field)
    if (explicit.has(n)) mapped.add(i)
  })
  return { fields, mapped, unknown, duplicates }
}

const PAY_AMOUNTS: ImportField[] = ['amountFen', 'amountYuan']
const REFUND_AMOUNTS: ImportField[] = ['amountFen', 'amountYuan', 'refundAmountFen', 'refundAmountYuan']

/** The amount fields a list of this type reads. */
export function amountFields(type: TradeType): ImportField[] {
  return type === 'pay' ? PAY_AMOUNTS : REFUND_AMOUNTS
}

/** The fields a list of this type cannot do without that its header lacks: `amount` for any amount. */
export function missingFields(match: HeaderMatch, type: TradeType): Array<ImportField | 'amount'> {
  const have = new Set(match.fields.values())
  const missing: Array<ImportField | 'amount'> = []
  if (!have.has('orderNo')) missing.push('orderNo')
  if (type === 'refund' && !have.has('refundNo')) missing.push('refundNo')
  if (!amountFields(type).some((f) => have.has(f))) missing.push('amount')
  return missing
}

/** How many of the first rows may stand above the header: a title, an export date, a blank line. */
export const HEADER_SCAN = 10

/**
 * The header among the first rows: the first that has every column the list needs, else the one that
 * names the most fields (two at least), else the first row, whose missing columns are then reported.
 * Shop exports put a title line ("订单导出 2026-12-03") above the header.
 */
export function findHeaderRow(rows: string[][], type: TradeType, mapping?: ColumnMapping): number {
  let best = 0
  let bestCount = 1
  const n = Math.min(rows.length, HEADER_SCAN)
  for (let i = 0; i < n; i++) {
    const match = matchHeaders(rows[i]!, mapping)
    if (missingFields(match, type).length === 0) return i
    if (match.fields.size > bestCount) {
      best = i
      bestCount = match.fields.size
    }
  }
  return best
}
