import { isScientific, unionpayFen } from './amount'
import { UnexpectedValues, type FormatOutcome } from './checks'
import { cellError, StatementError } from './errors'
import { unionpayTime } from './times'
import { ZM_FIELD_NAMES, ZM_MAX_BYTES, ZM_MIN_BYTES, zmField, zmSeparatorsAt } from './unionpay-layout'
import type { LineKind, StatementLine } from './types'

// UnionPay ZM lines to statement lines (docs/reconcile.md A5.5). Fields are sliced by GBK bytes: a
// Chinese 二级商户简称 takes two bytes a character, and slicing the decoded string instead would
// shift every later field (DaxPay's StrUtil.sub did; A2 defect 8). Every separator between fields
// 1 to 41 must be a space, so a line with a byte too many or too few is refused, not misread. The
// file has no summary: integrity is `unavailable`, every line must parse.

const F = {
  code: 0,
  time: 4,
  amount: 6,
  queryId: 9,
  orderId: 11,
  fee: 15,
  settle: 16,
  txnType: 19,
  origQueryId: 26,
  merId: 27,
  subMerId: 29,
  net: 32,
  origOrderId: 40,
} as const

const KIND = new Map<string, LineKind>([
  ['01', 'pay'],
  ['04', 'refund'],
  ['31', 'revoke'],
])
const ID = /^[\x21-\x7e]*$/

export class UnionpayZmParser {
  private readonly gbk = new TextDecoder('gb18030')
  private net = 0n
  private readonly unexpected = new UnexpectedValues()

  /** `settleDate`: YYYY-MM-DD, the year of every line's `交易传输时间` (A1.3). */
  constructor(
    private readonly settleDate: string,
    private readonly merId: string | null,
  ) {}

  line(no: number, bytes: Buffer): StatementLine | null {
    if (bytes.every((b) => b === 0x20 || b === 0x09)) return null
    if (bytes.length < ZM_MIN_BYTES || bytes.length > ZM_MAX_BYTES)
      throw new StatementError('column_count', 'statement.zmWidth', { line: no, found: bytes.length }, no)
    const sep = zmSeparatorsAt(bytes)
    if (sep !== null)
      throw new StatementError(
        'column_count',
        'statement.zmSeparator',
        { line: no, column: ZM_FIELD_NAMES[sep]! },
        no,
        ZM_FIELD_NAMES[sep]!,
      )
    const f = (i: number) => zmField(bytes, i, this.gbk)
    const field = (i: number, re: RegExp): string => {
      const v = f(i)
      if (!re.test(v)) throw cellError('bad_layout', 'statement.zmField', no, ZM_FIELD_NAMES[i]!, v)
      return v
    }
    const id = (i: number): string => {
      const v = field(i, ID)
      if (isScientific(v))
        throw cellError('damaged_number', 'statement.damagedNumber', no, ZM_FIELD_NAMES[i]!, v)
      return v
    }
    const money = (i: number, required: boolean): number => {
      const v = f(i)
      if (v === '' && !required) return 0
      const fen = unionpayFen(v)
      if (fen === null) throw cellError('bad_amount', 'statement.badAmount', no, ZM_FIELD_NAMES[i]!, v)
      return fen
    }

    field(F.code, /^[A-Z0-9]{3}$/)
    const txnType = field(F.txnType, /^\d{2}$/)
    const timeText = f(F.time)
    const lineTime = unionpayTime(timeText, this.settleDate)
    if (lineTime === null)
      throw cellError('bad_time', 'statement.badTime', no, ZM_FIELD_NAMES[F.time]!, timeText)
    const amount = money(F.amount, true)
    if (amount < 0)
      throw cellError('bad_amount', 'statement.amountSign', no, ZM_FIELD_NAMES[F.amount]!, f(F.amount), {
        kind: txnType,
        sign: 'C/无',
      })
    const fee = money(F.fee, false)
    const settle = money(F.settle, false)
    this.net += BigInt(money(F.net, false))
    const queryId = id(F.queryId)
    const orderId = id(F.orderId)
    const origQueryId = id(F.origQueryId)
    const origOrderId = id(F.origOrderId)
    const merId = field(F.merId, /^[\x21-\x7e]+$/)
    const kind = KIND.get(txnType) ?? 'other'
    if (kind === 'other') this.unexpected.add(ZM_FIELD_NAMES[F.txnType]!, txnType, no)
    // A refund (04) carries our refund's orderId and the payment's ids in the 原… fields; a cancel
    // (31) is matched by the payment it cancels.
    const refund = kind === 'refund'
    return {
      lineNo: no,
      kind,
      orderNo: refund ? origOrderId : kind === 'revoke' ? origOrderId || orderId : orderId,
      gatewayTradeNo: refund ? origQueryId : kind === 'revoke' ? origQueryId || queryId : queryId,
      refundNo: refund ? orderId : '',
      gatewayRefundNo: refund ? queryId : '',
      amount,
      settleAmount: settle,
      feeE5: fee * 1000,
      gatewayStatus: txnType,
      lineTime,
      subMerchant: id(F.subMerId),
      account: merId,
      raw: this.gbk.decode(bytes),
    }
  }

  finish(): FormatOutcome {
    return {
      account: this.merId,
      billDate: this.settleDate,
      window: null,
      exportedAt: null,
      layout: 'ZM',
      integrity: 'unavailable',
      checks: [],
      notices: this.unexpected.notices(),
      netE5: Number(this.net * 1000n),
    }
  }
}
