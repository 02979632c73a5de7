import type { ProfileOf } from '../../../shared/profiles'
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
import { AlipayTransport, type AlipayConfig } from './transport'

// Alipay's open API (docs/protocols.md section 1). The wire and the verification of every answer are
// transport.ts, a refusal's words answers.ts; pay.ts, close.ts and refund.ts are the trade calls,
// statement.ts the day's bill.

/** The keys of an Alipay profile, read as the adapter reads them. */
export function alipayKeyFields(p: ProfileOf<'alipay'>): KeyField[] {
  return [
    {
      field: 'appPrivateKey',
      id: 'merchant.key.private',
      kind: 'private',
      text: p.appPrivateKey,
      read: readPrivateKey,
    },
    {
      field: 'alipayPublicKey',
      id: 'merchant.key.public',
      kind: 'public',
      text: p.alipayPublicKey,
      read: readPublicKey,
    },
  ]
}

export class AlipayAdapter implements GatewayAdapter {
  readonly channel = 'alipay' as const
  private readonly transport: AlipayTransport

  constructor(config: AlipayConfig, policy: RetryPolicy = DEFAULT_RETRY, now: () => number = Date.now) {
    this.transport = new AlipayTransport(config, policy, now)
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
    const probeNo = `PAYSYNC-PING-${this.transport.now()}`
    const { ex, reading } = await this.transport.call('alipay.trade.query', { out_trade_no: probeNo }, ctx)
    const clockSkewMs = ex.ok ? skewOf(this.transport.now(), ex.serverTime, ex.latencyMs) : null
    const probe =
      reading.kind === 'answer'
        ? {
            kind: 'answer' as const,
            reply: [reading.node.code, reading.node.sub_code].filter(Boolean).join(' '),
          }
        : reading
    return connectionReport(probe, clockSkewMs, ex.latencyMs)
  }
}
