import { SUMMARY_END, SUMMARY_START, SUMMARY_TITLE } from './alipay-markers'
import { countOf, feeToE5, yuanToFenExact } from './amount'
import { cellError, StatementError } from './errors'
import { checkCellCount, cleanCell, HeaderMap, headerName } from './header'

// Alipay's 业务明细(汇总) file: one row per store and a final row whose first cell is `合计`
// (DaxPay 2.0.8 `AliPayReconcileService#parseTotal` reads cls[2] 笔数, cls[4] 订单金额, cls[5] 商家实收,
// cls[9] 服务费, cls[11] 实收净额; here by header name). Only the 合计 row is kept: the detail
// parser compares it with its own sums and reports a difference without failing the statement.

export interface AlipaySummaryTotals {
  entry: string | null
  /** The line of the 合计 row. */
  line: number
  payCount: bigint
  refundCount: bigint
  /** Fen, signed. */
  amount: bigint
  settle: bigint
  feeE5: bigint
  /** 实收净额（元） in fen, when the file has the column. */
  net: bigint | null
}

type State = 'preamble' | 'header' | 'rows' | 'end'

export class AlipaySummaryParser {
  private state: State = 'preamble'
  private started = false
  private lastLine = 0
  private header: HeaderMap | null = null
  private display: string[] = []
  private total: AlipaySummaryTotals | null = null

  constructor(private readonly entry: string | null) {}

  line(no: number, text: string): void {
    this.lastLine = no
    const t = text.trim()
    if (t === '' || this.state === 'end') return
    if (this.state === 'preamble') {
      if (!this.started && t === SUMMARY_TITLE) {
        this.started = true
        return
      }
      this.started = true
      if (SUMMARY_START.test(t)) this.state = 'header'
      else if (t.charCodeAt(0) !== 35)
        throw new StatementError(
          'bad_layout',
          'statement.missingMarker',
          { line: no, marker: '业务汇总列表' },
          no,
        )
      return
    }
    if (t.charCodeAt(0) === 35) {
      if (SUMMARY_END.test(t)) {
        if (this.state === 'header')
          throw new StatementError('bad_layout', 'statement.missingHeader', { line: no }, no)
        this.state = 'end'
      }
      return
    }
    const cells = text.split(',')
    if (this.state === 'header') {
      this.header = new HeaderMap(cells.map(headerName), no)
      this.display = cells.map(cleanCell)
      for (const name of ['交易订单总笔数', '退款订单总笔数', '订单金额(元)', '商家实收(元)', '服务费(元)'])
        this.header.require(name)
      this.state = 'rows'
      return
    }
    const h = this.header!
    checkCellCount(cells, h, no)
    if (cleanCell(cells[0]!) !== '合计') return
    if (this.total)
      throw new StatementError('trailing_garbage', 'statement.trailingGarbage', { line: no }, no)
    const cell = (name: string) => {
      const i = h.require(name)
      return { i, v: cleanCell(cells[i]!) }
    }
    const count = (name: string) => {
      const { i, v } = cell(name)
      const n = countOf(v)
      if (n === null) throw cellError('bad_amount', 'statement.badCount', no, this.display[i]!, v)
      return BigInt(n)
    }
    const yuan = (name: string) => {
      const { i, v } = cell(name)
      const fen = yuanToFenExact(v)
      if (fen === null) throw cellError('bad_amount', 'statement.badAmount', no, this.display[i]!, v)
      return BigInt(fen)
    }
    const fee = cell('服务费(元)')
    const feeE5 = feeToE5(fee.v)
    if (feeE5 === null) throw cellError('bad_amount', 'statement.badAmount', no, this.display[fee.i]!, fee.v)
    this.total = {
      entry: this.entry,
      line: no,
      payCount: count('交易订单总笔数'),
      refundCount: count('退款订单总笔数'),
      amount: yuan('订单金额(元)'),
      settle: yuan('商家实收(元)'),
      feeE5: BigInt(feeE5),
      net: h.has('实收净额(元)') ? yuan('实收净额(元)') : null,
    }
  }

  finish(): AlipaySummaryTotals {
    if (!this.total)
      throw new StatementError(
        'summary_missing',
        'statement.missingFooter',
        { item: '合计', line: this.lastLine },
        this.lastLine,
      )
    return this.total
  }
}
