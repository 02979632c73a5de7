import { IMPORT_FIELDS, type ColumnMapping, type ImportField } from '../../../shared/mapping'

// Header recognition of docs/cli.md 3.2: case-insensitive, spaces and brackets ignored, English or
// Chinese. A saved column mapping (shared/mapping.ts) names columns the aliases do not know, per
// source system.

const ALIASES: Record<ImportField, string[]> = {
  orderNo: ['orderNo', 'out_trade_no', 'outTradeNo', '订单号', '商户订单号', '本地订单号'],
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
  amountFen: ['amount', 'amountFen', 'totalFee', '金额分', '金额(分)'],
  amountYuan: ['amountYuan', '金额', '金额(元)', '订单金额', '订单金额(元)', '交易金额', '交易金额(元)'],
  status: ['status', '状态', '订单状态', '支付状态', '退款状态'],
  title: ['title', 'subject', '标题', '商品名称', '订单标题'],
  kind: ['kind', '订单类型'],
  createdAt: ['createdAt', '创建时间', '下单时间'],
  expiredAt: ['expiredAt', '过期时间', '失效时间', '超时时间'],
  paidAt: ['paidAt', '支付时间', '付款时间'],
  refundNo: ['refundNo', 'out_refund_no', 'out_request_no', '退款号', '退款单号', '本地退款号'],
  bizRefundNo: ['bizRefundNo', '商户退款号', '业务退款号'],
  gatewayRefundNo: ['gatewayRefundNo', 'refund_id', '网关退款号', '通道退款号'],
  refundAmountFen: ['refundAmount', 'refundAmountFen', '退款金额(分)'],
  refundAmountYuan: ['refundAmountYuan', '退款金额', '退款金额(元)'],
}

/** How a header is compared: case, spaces, underscores in Chinese, and all kinds of brackets ignored. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s()（）[\]【】{}<>《》'"`]/g, '')
}

const LOOKUP = new Map<string, ImportField>()
for (const field of IMPORT_FIELDS)
  for (const alias of ALIASES[field]) LOOKUP.set(normalizeHeader(alias), field)

export interface HeaderMatch {
  /** Column index -> field. */
  fields: Map<number, ImportField>
  /** Headers nobody knows: shown in the mapping editor, ignored on import. */
  unknown: string[]
  duplicates: string[]
}

export function matchHeaders(headers: string[], mapping?: ColumnMapping): HeaderMatch {
  const explicit = new Map<string, ImportField | null>()
  for (const [h, f] of Object.entries(mapping?.columns ?? {})) explicit.set(normalizeHeader(h), f)
  const fields = new Map<number, ImportField>()
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
  })
  return { fields, unknown, duplicates }
}
