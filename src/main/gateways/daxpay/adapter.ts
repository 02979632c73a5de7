import type { DaxpayProfile } from '../../../shared/profiles'
import { clockSkewMs as skewOf, DEFAULT_RETRY, type RetryPolicy } from '../http'
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
} from '../types'
import { closePay } from './close'
import { queryPay } from './pay'
import { queryRefund } from './refund'
import { DaxpayTransport } from './transport'

// A DaxPay server as the upstream gateway (docs/domain.md section 8). DaxPay syncs its own order with the
// channel and repairs it; we record what it answered and apply our own tables to the local copy. Paths: 3.x
// `/unipay/sync/pay` and `/unipay/sync/refund` (docs/protocols.md section 12, docs/domain.md 8). 2.x is the
// generation of docs/protocols.md section 11, whose pay sync is `/unipay/syncPay`; its refund sync is
// `/unipay/syncRefund` (UniPayController of 2.0.0-2.0.6, docs/domain.md A.1). docs/protocols.md section 13
// names `/unipay/syncPay` for refunds too, but that page copies the pay URL: the pay endpoint reads
// paymentId/businessNo, so refund numbers posted there would be refused as a pay sync with neither number.
// Both generations close an order through `/unipay/close` and read DaxPay's own order, with its amount and
// number, from its order query: 3.x `/unipay/query/payOrder`, 2.x `/uni/query/payOrder` (UniQueryController
// of 2.0.0-2.0.6; 2.0.7 moved it under /unipay) (docs/domain.md section 8).
//
// The wire and the verification of every answer are transport.ts; what the answers mean is pay.ts (the
// pay sync and DaxPay's own order), close.ts and refund.ts, with the words of each generation in
// states.ts.

export class DaxpayAdapter implements GatewayAdapter {
  readonly channel = 'daxpay' as const
  private readonly transport: DaxpayTransport

  constructor(profile: DaxpayProfile, policy: RetryPolicy = DEFAULT_RETRY, now: () => number = Date.now) {
    this.transport = new DaxpayTransport(profile, policy, now)
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

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const probeNo = `PAYSYNC-PING-${this.transport.now()}`
    const numbers: Record<string, string> =
      this.transport.version === '3' ? { bizOrderNo: probeNo } : { businessNo: probeNo }
    const { ex, reading } = await this.transport.call('pay', numbers, `probe ${probeNo}`, ctx)
    const serverTime = (ex.ok ? ex.serverTime : null) ?? (reading.kind === 'answer' ? reading.resTime : null)
    const clockSkewMs = skewOf(this.transport.now(), serverTime, ex.latencyMs)
    const probe =
      reading.kind === 'answer'
        ? { kind: 'answer' as const, reply: `${reading.code} ${reading.msg}`.trim() }
        : reading
    return connectionReport(probe, clockSkewMs, ex.latencyMs)
  }
}
