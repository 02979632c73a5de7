import { countOf, feeToE5, isScientific, yuanToFenExact } from './amount'
import { makeCheck, UnexpectedValues, unknownColumns, type FormatOutcome } from './checks'
import { cellError, StatementError } from './errors'
import { checkCellCount, HeaderMap } from './header'
import { wallTime } from './times'
import type { LineKind, StatementCheck, StatementLine, StatementNotice } from './types'

// WeChat Pay's trade bill (交易账单) to statement lines (docs/reconcile.md A1.2, A5.4). Four parts:
// the detail header (line 1), the detail rows, the summary header (first cell 总交易单数) and one
// summary row. "明细数据和汇总数据每个字段前会增加1个字符" — a backtick, the only guard against a
// spreadsheet turning ids into numbers: exactly one is removed from every cell, a cell without it
// refuses the file. Columns are mapped by header name: ALL (27), SUCCESS (20), REFUND (29) and the
// v2-era legacy layout (24, 总金额 and 子商户号) differ in order and content. A refund's amount is
// 申请退款金额 (退款金额 is the settled part, net of 免充值券; DaxPay compared the wrong one, A2
// defect 3) and its time the refund's acceptance (退款申请时间) when the bill has the column.

type Layout = 'ALL' | 'SUCCESS' | 'REFUND' | 'legacy'

const BACKTICK = 96
const KIND = new Map<string, LineKind>([
  ['SUCCESS', 'pay'],
  ['REFUND', 'refund'],
  ['REVOKED', 'revoke'],
])

/** Every money column a bill may have; each is read by the amount grammar and summed. */
const YUAN_COLUMNS = [
  '应结订单金额',
  '代金券金额',
  '退款金额',
  '充值券退款金额',
  '订单金额',
  '申请退款金额',
  '总金额',
  '代金券或立减优惠金额',
  '代金券或立减优惠退款金额',
]
const FEE_COLUMN = '手续费'

/** Summary column -> the detail column it sums. */
const SUMMARY_OF: Record<string, string> = {
  应结订单总金额: '应结订单金额',
  退款总金额: '退款金额',
  充值券退款总金额: '充值券退款金额',
  手续费总金额: '手续费',
  订单总金额: '订单金额',
  申请退款总金额: '申请退款金额',
  // The legacy layout's summary.
  总交易额: '总金额',
  总退款金额: '退款金额',
  总代金券或立减优惠退款金额: '代金券或立减优惠退款金额',
}
/** Every column of the four layouts (ALL, SUCCESS, REFUND, legacy), for telling a new or damaged name. */
const KNOWN_COLUMNS: ReadonlySet<string> = new Set(
  (
    '交易时间,公众账号ID,商户号,特约商户号,子商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,' +
    '货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,' +
    '退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注,总金额,代金券或立减优惠金额,' +
    '代金券或立减优惠退款金额'
  ).split(','),
)
const COUNT_COLUMN = '总交易单数'
/** The summary columns every bill of a layout has (the Go client reads seven for ALL, SUCCESS and REFUND). */
const SUMMARY_COLUMNS = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
]
const LEGACY_SUMMARY_COLUMNS = [
  '总交易单数',
  '总交易额',
  '总退款金额',
  '总代金券或立减优惠退款金额',
  '手续费总金额',
]

interface MoneyColumn {
  name: string
  index: number
  fee: boolean
  sum: bigint
}

export class WechatTradeParser {
  private header: HeaderMap | null = null
  private layout: Layout = 'ALL'
  private lastLine = 0
  private col = {
    time: 0,
    mchid: 0,
    sub: 0,
    transactionId: 0,
    orderNo: 0,
    status: 0,
    refundId: -1,
    refundNo: -1,
    refundStatus: -1,
    refundAppliedAt: -1,
    orderAmount: 0,
    settle: 0,
    refundAmount: -1,
    applyRefund: -1,
    fee: 0,
  }
  private money: MoneyColumn[] = []
  /** Index of a money column in `money`, by the column's index in the row. */
  private moneyAt: number[] = []
  private summaryHeader: HeaderMap | null = null
  private summaryLine: { no: number; cells: string[] } | null = null
  private account: string | null = null
  private rows = 0n
  private successRows = 0n
  private readonly unexpected = new UnexpectedValues()
  private headerNotices: StatementNotice[] = []

  constructor(private readonly expectedAccount: string | null) {}

  line(no: number, text: string): StatementLine | null {
    this.lastLine = no
    if (this.header !== null && this.summaryHeader === null) {
      if (text.charCodeAt(0) === BACKTICK) return this.row(no, text)
      if (text.trim() === '') return null
      const comma = text.indexOf(',')
      if ((comma < 0 ? text : text.slice(0, comma)).trim() === COUNT_COLUMN) {
        this.summaryHeader = new HeaderMap(
          text.split(',').map((c) => c.trim()),
          no,
        )
        return null
      }
      // A detail row whose first cell lost its backtick: refused as such.
      return this.row(no, text)
    }
    if (text.trim() === '') return null
    if (this.header === null) this.readHeader(no, text)
    else if (this.summaryLine === null)
      this.summaryLine = { no, cells: this.unquote(no, text, this.summaryHeader!) }
    else throw new StatementError('trailing_garbage', 'statement.trailingGarbage', { line: no }, no)
    return null
  }

  private readHeader(no: number, text: string): void {
    const h = new HeaderMap(
      text.split(',').map((c) => c.trim()),
      no,
    )
    const legacy = h.has('总金额') && !h.has('订单金额')
    this.layout = legacy ? 'legacy' : h.has('退款申请时间') ? 'REFUND' : h.has('退款金额') ? 'ALL' : 'SUCCESS'
    this.col = {
      time: h.require('交易时间'),
      mchid: h.require('商户号'),
      sub: h.require(legacy ? '子商户号' : '特约商户号'),
      transactionId: h.require('微信订单号'),
      orderNo: h.require('商户订单号'),
      status: h.require('交易状态'),
      refundId: h.at('微信退款单号'),
      refundNo: h.at('商户退款单号'),
      refundStatus: h.at('退款状态'),
      refundAppliedAt: h.at('退款申请时间'),
      orderAmount: h.require(legacy ? '总金额' : '订单金额'),
      settle: h.require(legacy ? '总金额' : '应结订单金额'),
      refundAmount: h.at('退款金额'),
      applyRefund: legacy ? h.at('退款金额') : h.at('申请退款金额'),
      fee: h.require(FEE_COLUMN),
    }
    if (this.layout !== 'SUCCESS')
      for (const name of [
        '微信退款单号',
        '商户退款单号',
        '退款金额',
        '退款状态',
        legacy ? '退款金额' : '申请退款金额',
      ])
        h.require(name)
    this.money = []
    this.moneyAt = new Array<number>(h.size).fill(-1)
    for (const name of [...YUAN_COLUMNS, FEE_COLUMN]) {
      const index = h.at(name)
      if (index < 0) continue
      this.moneyAt[index] = this.money.length
      this.money.push({ name, index, fee: name === FEE_COLUMN, sum: 0n })
    }
    this.headerNotices = unknownColumns(h.unknown(KNOWN_COLUMNS), no)
    this.header = h
  }

  /**
   * The cells of a data or summary row, each checked for its one leading backtick, which stays on:
   * `cell()` reads a cell without it (most cells of a row are never read, so none is copied).
   */
  private unquote(no: number, text: string, header: HeaderMap): string[] {
    const cells = text.split(',')
    checkCellCount(cells, header, no)
    for (let i = 0; i < cells.length; i++)
      if (cells[i]!.charCodeAt(0) !== BACKTICK)
        throw cellError('missing_backtick', 'statement.missingBacktick', no, header.names[i]!, cells[i]!)
    return cells
  }

  private row(no: number, text: string): StatementLine {
    const h = this.header!
    const cells = this.unquote(no, text, h)
    const c = this.col
    const values = new Array<number>(this.money.length)
    for (const m of this.money) {
      const v = cells[m.index]!.slice(1)
      const parsed = m.fee ? feeToE5(v) : yuanToFenExact(v)
      if (parsed === null) throw cellError('bad_amount', 'statement.badAmount', no, m.name, v)
      values[this.moneyAt[m.index]!] = parsed
      m.sum += BigInt(parsed)
    }
    const amountOf = (index: number) => values[this.moneyAt[index]!]!
    const id = (index: number) => {
      if (index < 0) return ''
      const v = cells[index]!.slice(1)
      if (isScientific(v))
        throw cellError('damaged_number', 'statement.damagedNumber', no, h.names[index]!, v)
      return v
    }
    const time = (index: number) => {
      const v = cells[index]!.slice(1).trim()
      if (v === '') return null
      const ms = wallTime(v)
      if (ms === null) throw cellError('bad_time', 'statement.badTime', no, h.names[index]!, v)
      return ms
    }

    const status = cells[c.status]!.slice(1).trim()
    const kind = KIND.get(status) ?? 'other'
    if (kind === 'other') this.unexpected.add('交易状态', status, no)
    const mchid = id(c.mchid)
    if (this.expectedAccount !== null && mchid !== this.expectedAccount)
      throw new StatementError(
        'account_mismatch',
        'statement.accountMismatch',
        { found: mchid, expected: this.expectedAccount, line: no },
        no,
        '商户号',
      )
    if (this.account === null) this.account = mchid
    else if (mchid !== this.account)
      throw new StatementError(
        'account_mismatch',
        'statement.accountMixed',
        { line: no, found: mchid, expected: this.account },
        no,
        '商户号',
      )
    const sub = id(c.sub)
    const transactionId = id(c.transactionId)
    const orderNo = id(c.orderNo)
    const tradeTime = time(c.time)
    this.rows += 1n
    if (status === 'SUCCESS') this.successRows += 1n

    let amount: number
    let settle: number
    let lineTime = tradeTime
    let refundNo = ''
    let refundId = ''
    let gatewayStatus = status
    if (kind === 'refund') {
      if (c.applyRefund < 0 || c.refundNo < 0 || c.refundAmount < 0)
        throw new StatementError(
          'missing_column',
          'statement.missingColumn',
          { line: h.line, column: c.refundNo < 0 ? '商户退款单号' : '申请退款金额' },
          h.line,
        )
      amount = amountOf(c.applyRefund)
      settle = -amountOf(c.refundAmount)
      refundNo = id(c.refundNo)
      refundId = id(c.refundId)
      if (c.refundStatus >= 0) gatewayStatus = cells[c.refundStatus]!.slice(1).trim()
      if (c.refundAppliedAt >= 0) lineTime = time(c.refundAppliedAt) ?? tradeTime
    } else {
      amount = amountOf(c.orderAmount)
      settle = amountOf(c.settle)
    }
    if (amount < 0)
      throw cellError(
        'bad_amount',
        'statement.amountSign',
        no,
        h.names[kind === 'refund' ? c.applyRefund : c.orderAmount]!,
        cells[kind === 'refund' ? c.applyRefund : c.orderAmount]!.slice(1),
        { kind: status, sign: '非负' },
      )
    return {
      lineNo: no,
      kind,
      orderNo,
      gatewayTradeNo: transactionId,
      refundNo,
      gatewayRefundNo: refundId,
      amount,
      settleAmount: settle === 0 ? 0 : settle,
      feeE5: amountOf(c.fee),
      gatewayStatus,
      lineTime,
      subMerchant: sub,
      account: mchid,
      raw: text,
    }
  }

  finish(): FormatOutcome {
    if (this.header === null)
      throw new StatementError(
        'bad_layout',
        'statement.missingHeader',
        { line: this.lastLine || 1 },
        this.lastLine || 1,
      )
    if (this.summaryHeader === null || this.summaryLine === null)
      throw new StatementError(
        'summary_missing',
        'statement.missingFooter',
        { item: this.summaryHeader === null ? COUNT_COLUMN : '汇总数据', line: this.lastLine },
        this.lastLine,
      )
    const sh = this.summaryHeader
    // A summary without one of its sums would leave that money unchecked.
    for (const name of this.layout === 'legacy' ? LEGACY_SUMMARY_COLUMNS : SUMMARY_COLUMNS) sh.require(name)
    const { no, cells } = this.summaryLine
    const checks: StatementCheck[] = []
    const detailSum = new Map(this.money.map((m) => [m.name, m]))
    for (let i = 0; i < sh.size; i++) {
      const name = sh.names[i]!
      const v = cells[i]!.slice(1)
      if (name === COUNT_COLUMN) {
        const n = countOf(v)
        if (n === null) throw cellError('bad_amount', 'statement.badCount', no, name, v)
        // [verify] Whether refund rows count in an ALL bill's 总交易单数 is not known until a real mixed
        // file is seen: either reading is accepted (A10); the sums below are strict.
        const declared = BigInt(n)
        const ok = declared === this.rows || declared === this.successRows
        const parsedText =
          ok || this.rows === this.successRows ? undefined : `${this.rows}/${this.successRows}`
        checks.push(makeCheck(name, no, declared, this.rows, 'count', { ok, parsedText }))
        continue
      }
      const of = SUMMARY_OF[name]
      if (of === undefined) continue
      const fee = of === FEE_COLUMN
      const declared = fee ? feeToE5(v) : yuanToFenExact(v)
      if (declared === null) throw cellError('bad_amount', 'statement.badAmount', no, name, v)
      checks.push(makeCheck(name, no, BigInt(declared), detailSum.get(of)?.sum ?? 0n, fee ? 'e5' : 'fen'))
    }
    const sum = (name: string) => detailSum.get(name)?.sum ?? 0n
    const settled = this.layout === 'legacy' ? sum('总金额') : sum('应结订单金额')
    const netE5 = (settled - sum('退款金额')) * 1000n - sum(FEE_COLUMN)
    return {
      account: this.account ?? this.expectedAccount,
      billDate: null,
      window: null,
      exportedAt: null,
      layout: this.layout,
      integrity: 'ok',
      checks,
      notices: [...this.headerNotices, ...this.unexpected.notices()],
      netE5: Number(netE5),
    }
  }
}
