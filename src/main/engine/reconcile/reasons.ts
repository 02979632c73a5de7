import type { TradeType } from '../../../shared/domain'
import { label } from '../../../shared/labels'
import { say, type MessageId } from '../../../shared/messages'
import { fenToYuan } from '../../../shared/money'
import type { DiffKind } from '../../../shared/statements'
import type { DiffDraft } from '../../store/statement-diffs'

// The reason a difference shows on its row, in both languages (docs/reconcile.md A7, A15.2: the
// reason on the row, no digging), e.g. "金额不符：本地 35.80 元，通道 35.00 元".

export interface DiffFacts {
  kind: DiffKind
  tradeType: TradeType
  tradeKey: string
  lineId: number | null
  payOrderId: number | null
  refundId: number | null
  orderNo: string | null
  refundNo: string | null
  gatewayNo: string | null
  localAmount: number | null
  statementAmount: number | null
  localStatus: string | null
  statementStatus: string | null
  localTime: number | null
  statementTime: number | null
  /** The local trade's gateway number, for a trade_no_conflict. */
  localGatewayNo?: string | null
  /** A fee_deviation's two fees: the line's (1e-5 yuan, signed as in the file) and the rate's (fen). */
  fee?: { lineE5: number; expectedFen: number }
  label: string | null
}

const yuan = (fen: number | null) => (fen === null ? '—' : fenToYuan(fen))

/** A fee in 1e-5 yuan as yuan, exactly, with two to five decimals: 4000 -> 0.04, 4321 -> 0.04321. */
function feeText(e5: number): string {
  const abs = Math.abs(e5)
  const decimals = String(abs % 100_000)
    .padStart(5, '0')
    .replace(/0{1,3}$/, '')
  return `${e5 < 0 ? '-' : ''}${Math.floor(abs / 100_000)}.${decimals}`
}

function statusWord(type: TradeType, status: string | null, lang: 'zh-CN' | 'en-US'): string {
  return label(type === 'pay' ? 'payStatus' : 'refundStatus', status, lang) || '—'
}

export function diffDraft(f: DiffFacts): DiffDraft {
  const id = `reconcile.reason.${f.kind}` as MessageId
  const no = (f.tradeType === 'refund' ? f.refundNo || f.gatewayNo : f.orderNo || f.gatewayNo) || '—'
  const text = (lang: 'zh-CN' | 'en-US') => {
    let local = yuan(f.localAmount)
    let statement = yuan(f.statementAmount)
    if (f.kind === 'local_not_success' || f.kind === 'status_mismatch') {
      local = statusWord(f.tradeType, f.localStatus, lang)
      if (lang === 'en-US') local = local.toLowerCase()
      statement = f.statementStatus ?? '—'
    } else if (f.kind === 'trade_no_conflict') {
      local = f.localGatewayNo ?? '—'
      statement = f.gatewayNo ?? '—'
    } else if (f.kind === 'fee_deviation' && f.fee) {
      local = fenToYuan(f.fee.expectedFen)
      statement = feeText(f.fee.lineE5)
    }
    return say(id, { no, orderNo: f.orderNo ?? '—', local, statement }, lang)
  }
  return {
    kind: f.kind,
    tradeType: f.tradeType,
    tradeKey: f.tradeKey,
    lineId: f.lineId,
    payOrderId: f.payOrderId,
    refundId: f.refundId,
    orderNo: f.orderNo,
    refundNo: f.refundNo,
    gatewayNo: f.gatewayNo,
    localAmount: f.localAmount,
    statementAmount: f.statementAmount,
    localStatus: f.localStatus,
    statementStatus: f.statementStatus,
    localTime: f.localTime,
    statementTime: f.statementTime,
    reason: f.kind,
    reasonText: text('zh-CN'),
    reasonEn: text('en-US'),
    label: f.label,
  }
}
