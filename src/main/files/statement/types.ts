import type { StatementChannel, StatementLineKind } from '../../../shared/statements'

// The vocabulary of a statement (对账单) once read, whatever channel wrote it: one StatementLine per
// detail row of the file, and one StatementResult saying what the file itself declares, what its
// lines add up to, and whether the file may be used at all (docs/reconcile.md sections A3, A5, A10).
// A line never changes a trade; it is evidence that the matching step weighs later.

export type { StatementChannel }

/** The trade bills v1 reconciles: Alipay 业务明细 (zip or csv), WeChat 交易账单, UnionPay ZM 流水. */
export type StatementFormat = 'alipay_trade' | 'wechat_trade' | 'unionpay_zm'

export type LineKind = StatementLineKind

export interface StatementLine {
  /** The physical line in the file (in its zip entry for an archive), 1-based. */
  lineNo: number
  kind: LineKind
  /** Our order number (商户订单号 / 原始交易订单号 on a UnionPay refund row); '' when the file has none. */
  orderNo: string
  /** The channel's number of the payment (支付宝交易号, 微信订单号, 查询流水号 or 原交易查询流水号). */
  gatewayTradeNo: string
  /** Our refund number on a refund line (退款批次号/请求号, 商户退款单号, UnionPay 商户订单号). */
  refundNo: string
  gatewayRefundNo: string
  /**
   * Fen, never negative: a pay line's order amount, a refund line's requested refund (Alipay's
   * negative 订单金额 made positive, WeChat 申请退款金额), what we compare with our own amount.
   */
  amount: number
  /** Fen, signed as the file means it: WeChat 应结订单金额 (−退款金额 on refunds), Alipay 商家实收, UnionPay 结算金额. */
  settleAmount: number
  /** Fee in 1e-5 yuan (WeChat writes fees with five decimals), signed as in the file. */
  feeE5: number
  /** The file's own word for the line's state: SUCCESS, REFUND, REVOKED, 交易, 退款, 01, 04, 31, ... */
  gatewayStatus: string
  /** The time the file gives the line (UTC ms from Beijing wall-clock), null when the cell is blank. */
  lineTime: number | null
  /** 特约商户号 / 子商户号 (WeChat), 二级商户代码 (UnionPay); '' otherwise. */
  subMerchant: string
  /** The merchant account the line belongs to: Alipay PID (file header), WeChat 商户号, UnionPay 商户代码. */
  account: string
  /** The line exactly as in the file (decoded, without its line break), for the detail drawer. */
  raw: string
}

/** One comparison of what the file declares with what its detail lines add up to (section A10). */
export interface StatementCheck {
  /** The declared item, in the file's words, e.g. `#交易合计 笔数`, `应结订单总金额`. */
  item: string
  /** The zip entry the declared value comes from, when the file is an archive. */
  entry: string | null
  /** The line that declares the value. */
  line: number
  declared: string
  parsed: string
  ok: boolean
  /**
   * A failed binding check fails the statement. A non-binding one is only reported: its meaning is
   * not verified on a real file yet (the Alipay summary file's 合计 row, docs/reconcile.md A19).
   */
  binding: boolean
}

/** A problem that does not stop the statement (a non-binding check failed, a side file unreadable). */
export interface StatementNotice {
  messageId: string
  params: Record<string, string | number>
  zh: string
  en: string
}

export interface StatementRefusal {
  /** The machine reason of section A7's statement-level list (`summary_mismatch`, `bad_amount`, ...). */
  reason: string
  /** The command-line error code (STATEMENT_SUMMARY_MISMATCH, STATEMENT_HASH_MISMATCH, ...). */
  code: string
  /** The file's line the refusal is about; null only for the whole file (hash, damaged archive). */
  line: number | null
  /** The column the refusal is about, in the file's words. */
  column: string | null
  entry: string | null
  messageId: string
  params: Record<string, string | number>
  zh: string
  en: string
}

export interface StatementHash {
  algorithm: 'sha1'
  expected: string
  /** SHA-1 of the file as the channel built it (after gunzip). */
  decompressed: string
  /** SHA-1 of the bytes as they came (the gzip file itself), the fallback reading of A1.2. */
  compressed: string
  /** Which of the two equals the expected value; null: neither does. */
  matchedOn: 'decompressed' | 'compressed' | null
}

export interface StatementTotals {
  lines: number
  pay: number
  refund: number
  revoke: number
  other: number
  /** Fen: Σ amount of the pay, refund and revoke lines. */
  payAmount: number
  refundAmount: number
  revokeAmount: number
  /** Σ feeE5 and Σ settleAmount over every line. */
  feeE5: number
  settleAmount: number
  /** The channel's net (A10): WeChat Σ应结 − Σ退款金额 − Σ手续费, Alipay 实收净额, UnionPay Σ清算净额; 1e-5 yuan. */
  netE5: number | null
}

export interface StatementResult {
  status: 'parsed' | 'failed'
  format: StatementFormat | null
  channel: StatementChannel | null
  /** WeChat: ALL, SUCCESS, REFUND or legacy; UnionPay: ZM. */
  layout: string | null
  encoding: string | null
  fileName: string
  /** The zip entries read (detail first), as their names decode. */
  entries: string[]
  /** The account the file names: Alipay PID (#账号), WeChat 商户号, UnionPay merId (entry name). */
  account: string | null
  /** The day the file covers, YYYY-MM-DD Beijing (Alipay 起始日期, UnionPay settle date); null for WeChat. */
  billDate: string | null
  /** Alipay's [起始, 终止) window, UTC ms. */
  window: { start: number; end: number } | null
  exportedAt: number | null
  /** ok: the binding checks passed; mismatch: the file does not prove itself complete; unavailable: no summary. */
  integrity: 'ok' | 'mismatch' | 'unavailable'
  checks: StatementCheck[]
  notices: StatementNotice[]
  totals: StatementTotals
  hash: StatementHash | null
  refusal: StatementRefusal | null
}
