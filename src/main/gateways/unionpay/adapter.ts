import type { UnionpayProfile } from '../../../shared/profiles'
import { formatBeijingCompact } from '../../../shared/time'
import { clockSkewMs as skewOf, DEFAULT_RETRY, type RetryPolicy } from '../http'
import { readPrivateKey, readPublicKey, type KeyField } from '../key-fields'
import { connectionReport } from '../kit'
import type {
  CallContext,
  CloseAnswer,
  ConnectionTest,
  GatewayAdapter,
  PayAnswer,
  PayTradeRef,
  RefundAnswer,
  RefundTradeRef,
  StatementDownload,
  StatementRequest,
} from '../types'
import { closePay } from './close'
import { queryPay } from './pay'
import { queryRefund } from './refund'
import { downloadStatement } from './statement'
import { UnionpayTransport } from './transport'

// UnionPay online gateway, `queryTrans.do` only (docs/protocols.md section 3). Pay orders and
// refunds are both UnionPay transactions of their own, found by orderId + txnTime or by queryId, and
// the answer's result logic is the official demo's: respCode says whether the query itself worked,
// origRespCode what became of the transaction asked about.
//
// The wire and the verification of every answer are transport.ts, what a verified answer means
// answers.ts; pay.ts, close.ts and refund.ts ask about a trade, statement.ts fetches the day's file.

/** Probe order numbers must be UnionPay orderIds: 8-32 letters and digits, no `-` or `_`. */
const PROBE_PREFIX = 'PAYSYNCPING'

/** The keys of a UnionPay profile, read as the adapter reads them. */
export function unionpayKeyFields(p: UnionpayProfile): KeyField[] {
  return [
    {
      field: 'privateKey',
      id: 'merchant.key.private',
      kind: 'private',
      text: p.privateKey,
      read: readPrivateKey,
    },
    {
      field: 'unionpayPublicKey',
      id: 'merchant.key.publicOrCertificate',
      kind: 'public',
      text: p.unionpayPublicKey,
      read: readPublicKey,
    },
  ]
}

export class UnionpayAdapter implements GatewayAdapter {
  readonly channel = 'unionpay' as const
  private readonly transport: UnionpayTransport

  constructor(profile: UnionpayProfile, policy: RetryPolicy = DEFAULT_RETRY, now: () => number = Date.now) {
    this.transport = new UnionpayTransport(profile, policy, now)
  }

  queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    return queryPay(this.transport, trade, ctx)
  }

  closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    return closePay(this.transport, trade, ctx)
  }

  queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    return queryRefund(this.transport, refund, ctx)
  }

  downloadStatement(req: StatementRequest, ctx: CallContext): Promise<StatementDownload> {
    return downloadStatement(this.transport, req, ctx)
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const at = this.transport.now()
    const { ex, reading } = await this.transport.call(
      { orderId: `${PROBE_PREFIX}${at}`, txnTime: formatBeijingCompact(at) },
      `probe ${PROBE_PREFIX}${at}`,
      ctx,
    )
    const clockSkewMs = ex.ok ? skewOf(this.transport.now(), ex.serverTime, ex.latencyMs) : null
    if (reading.kind === 'error') return connectionReport(reading, clockSkewMs, ex.latencyMs)
    const f = reading.fields
    // A made-up order is not found (34) or, on some gateways, answered 00: either means the
    // merchant, certificate and keys are accepted. 11 (验证签名失败) and the like mean they are not.
    return connectionReport(
      {
        kind: 'answer',
        reply: `respCode ${f.respCode}${f.respMsg ? ` ${f.respMsg}` : ''}`,
        accepted: f.respCode === '34' || f.respCode === '00',
      },
      clockSkewMs,
      ex.latencyMs,
    )
  }
}
