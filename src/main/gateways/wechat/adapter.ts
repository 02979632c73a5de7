import fs from 'node:fs/promises'
import { parseFen } from '../../../shared/money'
import type { WechatProfile } from '../../../shared/profiles'
import { parseBeijing } from '../../../shared/time'
import { allowedBillUrl, fetchBill } from '../bill-file'
import { DEFAULT_RETRY, type RetryPolicy } from '../http'
import { readPemPrivateKey, readPemPublicKey, type KeyField } from '../key-fields'
import {
  aboutAnotherTrade,
  busyStatus,
  closeFailure,
  connectionReport,
  malformed,
  payFailure,
  payNotFound,
  refundFailure,
  refundNotFound,
} from '../kit'
import type {
  CallContext,
  CloseAnswer,
  ConnectionTest,
  GatewayAdapter,
  PayAnswer,
  PayscoreSyncAnswer,
  PayTradeRef,
  RefundAnswer,
  RefundTradeRef,
  StatementDownload,
  StatementRequest,
} from '../types'
import { empty, failed, fetchFailed, notReady, refusedBillDate, retryableFailure } from '../statement-kit'
import { cancelPayscore, queryPayscore, syncPayscorePaid } from './payscore'
import { acknowledged, CLOSED_ALREADY, PAID_ALREADY, PAY_STATES, REFUND_STATES, type Json } from './states'
import { enc, errorCode, errorMessage, unexpected, WechatTransport } from './transport'

/** WeChat's words for "ask again later" in an unsigned error (its 5xx and 429 bodies). */
const BUSY = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED'])

// WeChat Pay APIv3, direct and partner (service provider) modes, payscore included (payscore.ts). What
// goes over the wire and how an answer is verified is transport.ts; here is what the answers mean.

/** The keys of a WeChat Pay profile, read as the transport reads them: the merchant key, each platform key. */
export function wechatKeyFields(p: WechatProfile): KeyField[] {
  return [
    {
      field: 'privateKey',
      id: 'merchant.key.private',
      kind: 'private',
      text: p.privateKey,
      read: readPemPrivateKey,
    },
    ...Object.entries(p.platformPublicKeys).map(([serial, text]): KeyField => ({
      field: 'platformPublicKeys',
      id: 'merchant.key.platformPublicKeys',
      kind: 'public',
      text,
      read: readPemPublicKey,
      serial,
    })),
  ]
}

/** The order number a verified query answer names: out_trade_no, or a payscore order's out_order_no. */
function namedOrderNo(body: string | null, kind: PayTradeRef['kind']): string | null {
  try {
    const json = JSON.parse(body ?? '') as Json
    const no = kind === 'payscore' ? json.out_order_no : json.out_trade_no
    return typeof no === 'string' ? no : null
  } catch {
    return null
  }
}

/** Whether the file begins as a gzip member does: WeChat sends one when asked, plain text otherwise. */
async function gzipped(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

export class WechatAdapter implements GatewayAdapter {
  readonly channel = 'wechat' as const
  private readonly transport: WechatTransport

  constructor(
    profile: WechatProfile,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    this.transport = new WechatTransport(profile, policy, now)
  }

  private get partner(): boolean {
    return this.transport.partner
  }

  async queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    if (trade.kind === 'payscore') return queryPayscore(this.transport, trade, ctx)
    const root = this.partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions'
    const scope = this.transport.scope()
    // Unpaid orders can only be found by out_trade_no; once we know the transaction_id, use it.
    const path = trade.gatewayTradeNo
      ? `${root}/id/${enc(trade.gatewayTradeNo)}?${scope}`
      : `${root}/out-trade-no/${enc(trade.orderNo)}?${scope}`
    const { reading: r, meta } = await this.transport.send('GET', path, undefined, ctx)
    if (r.kind === 'error') return payFailure(meta, r)
    if (r.status === 404 && r.json?.code === 'ORDER_NOT_EXIST')
      return payNotFound(meta, '404 ORDER_NOT_EXIST', r.body)
    if (r.status !== 200 || !r.json) {
      const u = unexpected(r)
      return payFailure(meta, u, u.rawStatus)
    }
    // WeChat signs the body it sends, not the question it answers: the numbers in the body tell.
    const asked = trade.gatewayTradeNo
      ? { transaction_id: trade.gatewayTradeNo }
      : { out_trade_no: trade.orderNo }
    const other = aboutAnotherTrade(r.json, { ...asked, ...this.transport.merchantIds() })
    if (other) return payFailure(meta, { ...other, raw: r.body })
    const state = String(r.json.trade_state ?? '')
    const status = PAY_STATES[state]
    const amount = parseFen((r.json.amount as Json | undefined)?.total)
    const answer = {
      rawStatus: state,
      rawText: r.body,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayTradeNo:
        typeof r.json.transaction_id === 'string' && r.json.transaction_id ? r.json.transaction_id : null,
      paidAt: typeof r.json.success_time === 'string' ? parseBeijing(r.json.success_time) : null,
      ...meta,
    }
    if (!status) return malformed(answer, `unknown trade_state "${state}"`)
    if (status === 'pay_success' && amount === null)
      return malformed(answer, 'a paid order without amount.total')
    return { ...answer, status }
  }

  async closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    let sent
    if (trade.kind === 'payscore') sent = await cancelPayscore(this.transport, trade, ctx)
    else {
      const root = this.partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions'
      const body = this.partner
        ? { sp_mchid: this.transport.profile.mchid, sub_mchid: this.transport.profile.subMchid ?? '' }
        : { mchid: this.transport.profile.mchid }
      const path = `${root}/out-trade-no/${enc(trade.orderNo)}/close`
      sent = await this.transport.send('POST', path, body, ctx)
    }
    const { reading: r, meta } = sent
    if (r.kind === 'error') return closeFailure(meta, r)
    const code = typeof r.json?.code === 'string' ? r.json.code : null
    const common = { rawStatus: code ? `${r.status} ${code}` : String(r.status), rawText: r.body, ...meta }
    // A payscore cancel's answer names the order it cancelled (acknowledged checks it); a 204, an
    // ORDER_CLOSED or an ORDER_NOT_EXIST names none, and the status line is not signed: a copy of
    // another order's answer reads the same. Only a query about our order says ours is closed.
    if (acknowledged(r, trade, code) && trade.kind === 'payscore')
      return { result: 'closed', errorCode: null, errorMsg: null, ...common }
    if (
      acknowledged(r, trade, code) ||
      CLOSED_ALREADY.has(code ?? '') ||
      (r.status === 404 && code === 'ORDER_NOT_EXIST')
    )
      return this.confirmClosed(trade, { errorCode: null, errorMsg: null, ...common }, ctx)
    if (PAID_ALREADY.has(code ?? ''))
      return { result: 'not_closable', errorCode: code, errorMsg: errorMessage(r.body), ...common }
    return {
      result: 'error',
      errorCode: code ?? `HTTP_${r.status}`,
      errorMsg: errorMessage(r.body) ?? `HTTP ${r.status}`,
      ...common,
    }
  }

  /**
   * The query that confirms a close (docs/domain.md section 4, note 2): the order is closed here only
   * when WeChat Pay, asked about our order number, names it and says CLOSED (a payscore order:
   * REVOKED or EXPIRED). Paid or failed meanwhile is `not_closable`, and the engine applies what the
   * next query says; still open or unknown to WeChat is an error, and the order stays as it is
   * (after repeated errors a person decides, through the anomaly sync_keeps_failing).
   */
  private async confirmClosed(
    trade: PayTradeRef,
    close: Omit<CloseAnswer, 'result'>,
    ctx?: CallContext,
  ): Promise<CloseAnswer> {
    const q = await this.queryPay({ ...trade, gatewayTradeNo: null }, ctx)
    const common = {
      rawStatus: close.rawStatus,
      rawText: close.rawText,
      attempts: close.attempts + q.attempts,
      latencyMs: q.latencyMs ?? close.latencyMs,
      serverTime: q.serverTime ?? close.serverTime,
      followUps: q.rawText === null ? [] : [q.rawText],
    }
    const unconfirmed = (why: string): CloseAnswer => ({
      ...common,
      result: 'error',
      errorCode: 'close_unconfirmed',
      errorMsg: `WeChat Pay answered the close (${close.rawStatus ?? ''}), but ${why}: the order is not known to be closed`,
    })
    switch (q.status) {
      case 'pay_closed':
        return namedOrderNo(q.rawText, trade.kind) === trade.orderNo
          ? {
              ...common,
              rawStatus: `${close.rawStatus ?? ''}, then ${q.rawStatus ?? ''}`,
              result: 'closed',
              errorCode: null,
              errorMsg: null,
            }
          : unconfirmed('the query confirming it does not name our order')
      case 'pay_success':
      case 'pay_refund':
      case 'pay_fail':
        return {
          ...common,
          result: 'not_closable',
          errorCode: q.rawStatus,
          errorMsg: `WeChat Pay reports the order as ${q.rawStatus ?? q.status}`,
        }
      case 'pay_progress':
      case 'pay_not_found':
        return unconfirmed(`its query reports ${q.rawStatus ?? q.status}`)
      case 'sync_error':
        return { ...common, result: 'error', errorCode: q.errorCode, errorMsg: q.errorMsg }
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    const query = this.partner ? `?sub_mchid=${enc(this.transport.profile.subMchid ?? '')}` : ''
    const path = `/v3/refund/domestic/refunds/${enc(refund.refundNo)}${query}`
    const { reading: r, meta } = await this.transport.send('GET', path, undefined, ctx)
    if (r.kind === 'error') return refundFailure(meta, r)
    if (r.status === 404 && r.json?.code === 'RESOURCE_NOT_EXISTS')
      return refundNotFound(meta, '404 RESOURCE_NOT_EXISTS', r.body)
    if (r.status !== 200 || !r.json) {
      const u = unexpected(r)
      return refundFailure(meta, u, u.rawStatus)
    }
    const other = aboutAnotherTrade(r.json, {
      out_refund_no: refund.refundNo,
      ...this.transport.merchantIds(),
    })
    if (other) return refundFailure(meta, { ...other, raw: r.body })
    const state = String(r.json.status ?? '')
    const status = REFUND_STATES[state]
    const answer = {
      rawStatus: state,
      rawText: r.body,
      errorCode: null,
      errorMsg: null,
      amount: parseFen((r.json.amount as Json | undefined)?.refund),
      gatewayRefundNo: typeof r.json.refund_id === 'string' ? r.json.refund_id : null,
      finishedAt: typeof r.json.success_time === 'string' ? parseBeijing(r.json.success_time) : null,
      ...meta,
    }
    if (!status) return malformed(answer, `unknown refund status "${state}"`)
    return { ...answer, status }
  }

  /**
   * The day's trade bill (docs/reconcile.md A1.2): `GET /v3/bill/tradebill` (ALL, gzipped; a partner
   * asks for its sub-merchant's), signed and verified as any answer, gives the SHA-1 of the bill and
   * a link that lives 30 s. The download is signed like any request, and its answer is the file with
   * no signature to verify: `expectedSha1` goes to the parser, which checks it over the whole file.
   */
  async downloadStatement(req: StatementRequest, ctx: CallContext): Promise<StatementDownload> {
    const refused = refusedBillDate(req.billDate, this.now())
    if (refused) return refused
    const sub = this.partner ? `&sub_mchid=${enc(this.transport.profile.subMchid ?? '')}` : ''
    const path = `/v3/bill/tradebill?bill_date=${enc(req.billDate)}&bill_type=ALL&tar_type=GZIP${sub}`
    const { reading: r } = await this.transport.send('GET', path, undefined, ctx)
    if (r.kind === 'error') return failed(r.code, r.msg, BUSY.has(r.code) || retryableFailure(r.code), r.raw)
    const code = typeof r.json?.code === 'string' ? r.json.code : null
    const msg = errorMessage(r.body) ?? `HTTP ${r.status}`
    if (code === 'STATEMENT_CREATING')
      return notReady(code, `${msg} (the bill of ${req.billDate} is being made: ask again later)`, r.body)
    if (code === 'NO_STATEMENT_EXIST') return empty(code, msg, r.body)
    if (r.status !== 200 || !r.json)
      return failed(code ?? `HTTP_${r.status}`, msg, busyStatus(r.status), r.body)
    const hash = r.json.hash_value
    const link = typeof r.json.download_url === 'string' ? allowedBillUrl(r.json.download_url) : null
    if (r.json.hash_type !== 'SHA1' || typeof hash !== 'string' || !/^[0-9a-fA-F]{40}$/.test(hash) || !link)
      return failed(
        'malformed',
        'the answer does not carry a SHA1 hash_value and an https download_url',
        false,
        r.body,
      )
    const fetched = await fetchBill(() => this.transport.billRequest(link), req.dest, {
      policy: this.policy,
      ctx,
    })
    if (!fetched.ok) {
      const said = fetched.body === null ? null : errorCode(fetched.body)
      return said
        ? failed(
            said,
            errorMessage(fetched.body!) ?? fetched.message,
            fetched.retryable || BUSY.has(said),
            r.body,
          )
        : fetchFailed(fetched, r.body)
    }
    const gz = await gzipped(req.dest)
    const ids = this.partner
      ? `${this.transport.profile.mchid}_${this.transport.profile.subMchid ?? ''}`
      : this.transport.profile.mchid
    return {
      status: 'ok',
      fileName: `wechat_${ids}_${req.billDate.replaceAll('-', '')}_ALL.csv${gz ? '.gz' : ''}`,
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      verified: true,
      expectedSha1: hash.toLowerCase(),
      rawAnswer: r.body,
    }
  }

  syncPayscorePaid(trade: PayTradeRef, paidAt: number, ctx?: CallContext): Promise<PayscoreSyncAnswer> {
    return syncPayscorePaid(this.transport, trade, paidAt, ctx)
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const a = await this.queryPay(
      {
        orderNo: `PAYSYNCPING${this.now()}`,
        bizOrderNo: '',
        gatewayTradeNo: null,
        amount: 0,
        kind: 'pay',
        createdAt: this.now(),
        paidAt: null,
      },
      ctx,
    )
    const probe =
      a.status === 'sync_error'
        ? { kind: 'error' as const, code: String(a.errorCode), msg: String(a.errorMsg), raw: a.rawText }
        : { kind: 'answer' as const, reply: a.rawStatus ?? '' }
    return connectionReport(probe, this.transport.lastClockSkewMs, a.latencyMs)
  }
}
