import {
  ACCOUNT,
  DETAIL_END,
  DETAIL_START,
  DETAIL_TITLE,
  EXPORTED,
  PAY_TOTAL,
  REFUND_TOTAL,
  WINDOW,
} from './alipay-markers'
import type { AlipaySummaryTotals } from './alipay-summary'
import { feeToE5, isScientific, yuanToFenExact } from './amount'
import { makeCheck, makeNotice, UnexpectedValues, unknownColumns, type FormatOutcome } from './checks'
import { cellError, StatementError } from './errors'
import { checkCellCount, cleanCell, HeaderMap, headerName } from './header'
import { alipayHeaderTime, beijingDay, wallTime } from './times'
import type { LineKind, StatementCheck, StatementLine, StatementNotice } from './types'

// Alipay's 业务明细 file to statement lines (docs/reconcile.md A1.1, A5.3): comment lines until the
// start marker, the header, the rows, the end marker, the footers. Only a line whose FIRST character
// is `#` is a comment; a `#1` inside a product name is data. Each cell loses exactly one trailing TAB
// (Alipay's guard against spreadsheets), nothing else. Refund rows write negative amounts; our
// amount is the refund made positive (DaxPay kept the sign, A2 defect 5). The footers are binding:
// the count of 交易 and 退款 rows and the Σ 商家实收 of each must equal them (A10). The summary
// file's 合计 row is compared too but only reported, its meaning not verified on a real file (A19).

type State = 'preamble' | 'header' | 'rows' | 'footer'

/** The 25 columns of the sample (brackets folded), for telling a new or damaged name. */
const KNOWN_COLUMNS: ReadonlySet<string> = new Set(
  (
    '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额(元),' +
    '商家实收(元),支付宝红包(元),集分宝(元),支付宝优惠(元),商家优惠(元),券核销金额(元),券名称,商家红包消费金额(元),' +
    '卡消费金额(元),退款批次号/请求号,服务费(元),分润(元),备注'
  ).split(','),
)

interface Footer {
  line: number
  count: bigint
  settle: bigint
  discount: bigint
}

const KIND = new Map<string, LineKind>([
  ['交易', 'pay'],
  ['退款', 'refund'],
])

export class AlipayDetailParser {
  private state: State = 'preamble'
  private started = false
  private lastLine = 0
  private header: HeaderMap | null = null
  private display: string[] = []
  private col = {
    tradeNo: 0,
    orderNo: 0,
    type: 0,
    finished: 0,
    amount: 0,
    settle: 0,
    discount: -1,
    refundNo: 0,
    fee: 0,
  }
  private account: string | null = null
  private window: { start: number; end: number } | null = null
  private exportedAt: number | null = null
  private payFooter: Footer | null = null
  private readonly unexpected = new UnexpectedValues()
  private headerNotices: StatementNotice[] = []
  private refundFooter: Footer | null = null
  private readonly sums = {
    payCount: 0n,
    paySettle: 0n,
    payDiscount: 0n,
    refundCount: 0n,
    refundSettle: 0n,
    refundDiscount: 0n,
    /** Over the 交易 and 退款 rows, signed: what the summary file's 合计 row states. */
    amount: 0n,
    settle: 0n,
    feeE5: 0n,
  }

  constructor(
    private readonly entry: string | null,
    private readonly summary: AlipaySummaryTotals | null,
    private readonly expectedAccount: string | null = null,
  ) {}

  line(no: number, text: string): StatementLine | null {
    this.lastLine = no
    if (this.state === 'rows') {
      if (text.charCodeAt(0) === 35) {
        if (DETAIL_END.test(text.trim())) this.state = 'footer'
        return null
      }
      if (text.trim() === '') return null
      return this.row(no, text)
    }
    const t = text.trim()
    if (t === '') return null
    if (this.state === 'preamble') this.preamble(no, t)
    else if (this.state === 'header') this.headerRow(no, text, t)
    else this.footer(no, t)
    return null
  }

  private preamble(no: number, t: string): void {
    if (!this.started) {
      this.started = true
      if (t === DETAIL_TITLE) return
    }
    if (t.charCodeAt(0) !== 35 || DETAIL_END.test(t))
      throw new StatementError(
        'bad_layout',
        'statement.missingMarker',
        { line: no, marker: '业务明细列表' },
        no,
      )
    if (DETAIL_START.test(t)) {
      // The account and the window name the statement (A4.1 takes its date from them): a file
      // without them is not one Alipay wrote.
      if (this.account === null || this.window === null)
        throw new StatementError(
          'bad_layout',
          'statement.missingHeaderLine',
          { line: no, item: this.account === null ? '#账号' : '#起始日期' },
          no,
        )
      this.state = 'header'
      return
    }
    const account = ACCOUNT.exec(t)
    if (account) {
      this.account = account[1]!
      if (this.expectedAccount !== null && this.account !== this.expectedAccount)
        throw new StatementError(
          'account_mismatch',
          'statement.accountMismatch',
          { found: this.account, expected: this.expectedAccount, line: no },
          no,
          '账号',
        )
    }
    const window = WINDOW.exec(t)
    if (window) {
      const start = alipayHeaderTime(window[1]!)
      const end = alipayHeaderTime(window[2]!)
      if (start === null) throw cellError('bad_time', 'statement.badTime', no, '起始日期', window[1]!)
      if (end === null || end <= start)
        throw cellError('bad_time', 'statement.badTime', no, '终止日期', window[2]!)
      this.window = { start, end }
    }
  }

  private headerRow(no: number, text: string, t: string): void {
    if (t.charCodeAt(0) === 35) {
      if (DETAIL_END.test(t))
        throw new StatementError('bad_layout', 'statement.missingHeader', { line: no }, no)
      return
    }
    const cells = text.split(',')
    const header = new HeaderMap(cells.map(headerName), no)
    this.display = cells.map(cleanCell)
    this.col = {
      tradeNo: header.require('支付宝交易号'),
      orderNo: header.require('商户订单号'),
      type: header.require('业务类型'),
      finished: header.require('完成时间'),
      amount: header.require('订单金额(元)'),
      settle: header.require('商家实收(元)'),
      discount: header.at('商家优惠(元)'),
      refundNo: header.require('退款批次号/请求号'),
      fee: header.require('服务费(元)'),
    }
    this.headerNotices = unknownColumns(header.unknown(KNOWN_COLUMNS), no)
    this.header = header
    this.state = 'rows'
  }

  private row(no: number, text: string): StatementLine {
    const cells = text.split(',')
    checkCellCount(cells, this.header!, no)
    const c = this.col
    const cell = (i: number) => cleanCell(cells[i]!)
    const id = (i: number) => {
      const v = cell(i)
      if (isScientific(v))
        throw cellError('damaged_number', 'statement.damagedNumber', no, this.display[i]!, v)
      return v
    }
    const yuan = (i: number) => {
      const v = cell(i)
      const fen = yuanToFenExact(v)
      if (fen === null) throw cellError('bad_amount', 'statement.badAmount', no, this.display[i]!, v)
      return fen
    }
    const type = cell(c.type)
    const kind = KIND.get(type) ?? 'other'
    if (kind === 'other') this.unexpected.add(this.display[c.type]!, type, no)
    const tradeNo = id(c.tradeNo)
    const orderNo = id(c.orderNo)
    const refundNo = kind === 'refund' ? id(c.refundNo) : ''
    const signed = yuan(c.amount)
    if ((kind === 'pay' && signed < 0) || (kind === 'refund' && signed >= 0))
      throw cellError('bad_amount', 'statement.amountSign', no, this.display[c.amount]!, cell(c.amount), {
        kind: type,
        sign: kind === 'pay' ? '非负' : '负数',
      })
    const settle = yuan(c.settle)
    const discount = c.discount >= 0 ? yuan(c.discount) : 0
    const feeText = cell(c.fee)
    const feeE5 = feeToE5(feeText)
    if (feeE5 === null)
      throw cellError('bad_amount', 'statement.badAmount', no, this.display[c.fee]!, feeText)
    const finished = cell(c.finished)
    const lineTime = finished === '' ? null : wallTime(finished)
    if (lineTime === null && finished !== '')
      throw cellError('bad_time', 'statement.badTime', no, this.display[c.finished]!, finished)

    const s = this.sums
    if (kind === 'pay') {
      s.payCount += 1n
      s.paySettle += BigInt(settle)
      s.payDiscount += BigInt(discount)
    } else if (kind === 'refund') {
      s.refundCount += 1n
      s.refundSettle += BigInt(settle)
      s.refundDiscount += BigInt(discount)
    }
    if (kind !== 'other') {
      s.amount += BigInt(signed)
      s.settle += BigInt(settle)
      s.feeE5 += BigInt(feeE5)
    }
    return {
      lineNo: no,
      kind,
      orderNo,
      gatewayTradeNo: tradeNo,
      refundNo,
      gatewayRefundNo: '',
      amount: Math.abs(signed),
      settleAmount: settle,
      feeE5,
      gatewayStatus: type,
      lineTime,
      subMerchant: '',
      account: this.account ?? '',
      raw: text,
    }
  }

  private footer(no: number, t: string): void {
    if (t.charCodeAt(0) !== 35)
      throw new StatementError('trailing_garbage', 'statement.trailingGarbage', { line: no }, no)
    const which = t.startsWith('#交易合计') ? 'pay' : t.startsWith('#退款合计') ? 'refund' : null
    if (which) {
      const m = (which === 'pay' ? PAY_TOTAL : REFUND_TOTAL).exec(t)
      const shown = t.length > 80 ? `${t.slice(0, 80)}…` : t
      if (!m) throw new StatementError('bad_layout', 'statement.badFooter', { line: no, text: shown }, no)
      if ((which === 'pay' ? this.payFooter : this.refundFooter) !== null)
        throw new StatementError('trailing_garbage', 'statement.trailingGarbage', { line: no }, no)
      const footer = {
        line: no,
        count: BigInt(m[1]!),
        settle: BigInt(yuanToFenExact(m[2]!)!),
        discount: BigInt(yuanToFenExact(m[3]!)!),
      }
      if (which === 'pay') this.payFooter = footer
      else this.refundFooter = footer
      return
    }
    const exported = EXPORTED.exec(t)
    if (exported) this.exportedAt = wallTime(`${exported[1]}-${exported[2]}-${exported[3]} ${exported[4]}`)
  }

  finish(): FormatOutcome {
    const missing = (item: string) =>
      new StatementError(
        'summary_missing',
        'statement.missingFooter',
        { item, line: this.lastLine },
        this.lastLine,
      )
    if (this.state === 'preamble') throw missing('业务明细列表')
    if (this.state === 'header')
      throw new StatementError(
        'bad_layout',
        'statement.missingHeader',
        { line: this.lastLine },
        this.lastLine,
      )
    if (this.state === 'rows') throw missing('业务明细列表结束')
    const s = this.sums
    // Alipay writes both totals, a kind without rows as 0笔. A total that is missing may have gone with
    // its rows: the long statement fuzz found a file whose only refund row and its total were both
    // commented out, which read as a day without refunds. So each total is required.
    if (!this.payFooter) throw missing('#交易合计')
    if (!this.refundFooter) throw missing('#退款合计')

    const checks: StatementCheck[] = []
    const hasDiscount = this.col.discount >= 0
    const f = (item: string, footer: Footer, count: bigint, settle: bigint, discount: bigint) => {
      checks.push(makeCheck(`${item} 笔数`, footer.line, footer.count, count, 'count', { entry: this.entry }))
      checks.push(
        makeCheck(`${item} 商家实收`, footer.line, footer.settle, settle, 'fen', { entry: this.entry }),
      )
      if (hasDiscount)
        checks.push(
          makeCheck(`${item} 商家优惠`, footer.line, footer.discount, discount, 'fen', {
            entry: this.entry,
            binding: false,
          }),
        )
    }
    if (this.payFooter) f('#交易合计', this.payFooter, s.payCount, s.paySettle, s.payDiscount)
    if (this.refundFooter) f('#退款合计', this.refundFooter, s.refundCount, s.refundSettle, s.refundDiscount)

    let netE5 = s.settle * 1000n + s.feeE5
    const sum = this.summary
    if (sum) {
      const o = { entry: sum.entry, binding: false }
      checks.push(makeCheck('合计 交易订单总笔数', sum.line, sum.payCount, s.payCount, 'count', o))
      checks.push(makeCheck('合计 退款订单总笔数', sum.line, sum.refundCount, s.refundCount, 'count', o))
      checks.push(makeCheck('合计 订单金额（元）', sum.line, sum.amount, s.amount, 'fen', o))
      checks.push(makeCheck('合计 商家实收（元）', sum.line, sum.settle, s.settle, 'fen', o))
      checks.push(makeCheck('合计 服务费（元）', sum.line, sum.feeE5, s.feeE5, 'e5', o))
      if (sum.net !== null) netE5 = sum.net * 1000n
    }
    const notices = [...this.headerNotices, ...this.unexpected.notices()]
    for (const c of checks)
      if (!c.binding && !c.ok)
        notices.push(
          makeNotice(
            sum && c.entry === sum.entry ? 'statement.summaryFileMismatch' : 'statement.footerNotice',
            {
              line: c.line,
              item: c.item,
              declared: c.declared,
              parsed: c.parsed,
            },
          ),
        )
    return {
      account: this.account,
      billDate: this.window ? beijingDay(this.window.start) : null,
      window: this.window,
      exportedAt: this.exportedAt,
      layout: null,
      integrity: 'ok',
      checks,
      notices,
      netE5: Number(netE5),
    }
  }
}
