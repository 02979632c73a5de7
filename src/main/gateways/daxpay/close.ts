import { callMeta, closeFailure } from '../kit'
import type { CallContext, CloseAnswer, PayTradeRef } from '../types'
import { queryPay } from './pay'
import { NOT_FOUND, STATUS_ERROR } from './states'
import type { DaxpayTransport } from './transport'

/**
 * The close at the gateway (docs/domain.md section 8): `POST /unipay/close`, then one more sync to see
 * what became of the order. DaxPay's answer to the close names no order, so it only says whether
 * DaxPay took the request (0), has no such order (20041) or will not close it (20044: paid, closed
 * or failed already); the sync after it decides. Closed: `closed`; not found: `not_found`; paid or
 * failed meanwhile: `not_closable`, and the engine asks again; still open: an error.
 */
export async function closePay(
  t: DaxpayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<CloseAnswer> {
  // 3.x's useCancel is a Java boolean: never null, so always in the signature DaxPay computes.
  const numbers = { ...t.payNumbers(trade), ...(t.version === '3' ? { useCancel: false } : {}) }
  const { ex, reading } = await t.call('close', numbers, `close ${trade.orderNo}`, ctx)
  const meta = callMeta(ex)
  if (reading.kind === 'error') return closeFailure(meta, reading)
  const said = `${reading.code} ${reading.msg}`.trim()
  const close = { rawStatus: said, rawText: reading.raw, ...meta }
  if (reading.code !== 0 && reading.code !== NOT_FOUND && reading.code !== STATUS_ERROR)
    return closeFailure(
      meta,
      { code: String(reading.code), msg: reading.msg || 'DaxPay refused the close', raw: reading.raw },
      said,
    )
  const a = await queryPay(t, trade, ctx)
  const common = {
    ...close,
    attempts: close.attempts + a.attempts,
    latencyMs: a.latencyMs ?? close.latencyMs,
    serverTime: a.serverTime ?? close.serverTime,
    followUps: [a.rawText, ...(a.followUps ?? [])].filter((t): t is string => t !== null),
  }
  const then = `${said}, then ${a.rawStatus ?? a.status}`
  switch (a.status) {
    case 'pay_closed':
      return { ...common, rawStatus: then, result: 'closed', errorCode: null, errorMsg: null }
    case 'pay_not_found':
      return { ...common, rawStatus: then, result: 'not_found', errorCode: null, errorMsg: null }
    case 'pay_success':
    case 'pay_refund':
    case 'pay_fail':
      return {
        ...common,
        result: 'not_closable',
        errorCode: a.rawStatus,
        errorMsg: `DaxPay reports the order as ${a.rawStatus ?? a.status}`,
      }
    case 'pay_progress':
      return {
        ...common,
        result: 'error',
        errorCode: 'still_open',
        errorMsg: `DaxPay answered the close (${said}) but its sync still reports the order ${a.rawStatus ?? 'open'}`,
      }
    case 'sync_error':
      return { ...common, result: 'error', errorCode: a.errorCode, errorMsg: a.errorMsg }
  }
}
