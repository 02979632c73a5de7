import crypto from 'node:crypto'
import type { UnionpayProfile } from '../../../shared/profiles'
import { formatBeijingCompact } from '../../../shared/time'
import { exchange, type Exchange, type HttpResponse, type RetryPolicy } from '../http'
import { readPrivateKey, readPublicKey } from '../key-fields'
import { aboutAnotherTrade, busyStatus, noAnswer, transportFailure, type Reading } from '../kit'
import { ReplayCache } from '../replay-cache'
import type { CallContext } from '../types'
import { encodeForm, parseAnswer, signParamsAsync, verifyParamsAsync } from './sign'

// The UnionPay online gateway on the wire (docs/protocols.md section 3): every request a form signed
// with the merchant key, every answer verified with the configured UnionPay key, bound to the
// merchant and the transaction asked about, and refused when it is a copy of an answer to another
// question. What a verified answer means is answers.ts.

/**
 * respCodes worth another try within one call: in progress (03-05) and 06 系统繁忙. 37 is not: it asks
 * us to slow down.
 */
export const RETRYABLE_RESP = new Set(['03', '04', '05', '06'])

export type Fields = Record<string, string>

/** A verified (or refused) reading of one answer. */
type UnionpayReading = Reading<{ fields: Fields; raw: string }>

/** What the query was asked about, to check that the answer is about the same transaction. */
export interface QueryKey {
  orderId?: string
  txnTime?: string
  queryId?: string
}

/** Whether an HTTP answer is worth another try: the same for the query and the file transfer. */
function retryable(res: HttpResponse): boolean {
  if (busyStatus(res.status)) return true
  // Decides only whether to ask again; the answer that is kept is verified like any other.
  return res.status === 200 && RETRYABLE_RESP.has(parseAnswer(res.body).respCode ?? '')
}

export class UnionpayTransport {
  private readonly privateKey: crypto.KeyObject
  private readonly publicKey: crypto.KeyObject
  /**
   * The signed answers of this merchant already received (docs/domain.md 6.4), by signature. UnionPay
   * answers carry neither a nonce nor a time of their own, so the gateway answers one question with
   * the same bytes each time: only a copy answering another question is a replay.
   */
  private readonly replays: ReplayCache

  constructor(
    readonly profile: UnionpayProfile,
    private readonly policy: RetryPolicy,
    readonly now: () => number,
  ) {
    this.privateKey = readPrivateKey(profile.privateKey)
    // Only the configured key verifies answers. UnionPay's own verify certificate (PEM) works here
    // as well as a bare public key; the `signPubKeyCert` an answer carries is never used, since
    // whoever forged the answer would have chosen it.
    this.publicKey = readPublicKey(profile.unionpayPublicKey)
    this.replays = new ReplayCache(now)
  }

  /** The fields every request of this merchant carries, signed with the rest; `url` and `maxBytes` as sent. */
  private async request(fields: Fields, url: string, maxBytes?: number) {
    const params: Record<string, string> = {
      version: '5.1.0',
      encoding: 'UTF-8',
      certId: this.profile.certId,
      signMethod: '01',
      ...fields,
    }
    params.signature = await signParamsAsync(params, this.privateKey)
    return {
      method: 'POST' as const,
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: encodeForm(params),
      ...(maxBytes === undefined ? {} : { maxBytes }),
    }
  }

  private buildRequest(key: QueryKey) {
    return this.request(
      {
        txnType: '00',
        txnSubType: '00',
        bizType: '000000',
        accessType: '0',
        merId: this.profile.merId,
        ...(key.queryId ? { queryId: key.queryId } : { orderId: key.orderId!, txnTime: key.txnTime! }),
      },
      this.profile.endpoint,
    )
  }

  private async read(ex: Exchange, key: QueryKey, question: string): Promise<UnionpayReading> {
    if (!ex.ok) return transportFailure(ex)
    const res = ex.response
    if (res.status !== 200)
      return noAnswer(`HTTP_${res.status}`, `the gateway answered HTTP ${res.status}`, res.body)
    const text = res.body.trim()
    // The gateway's plain-text refusal of a request missing its key fields: unsigned, not a state.
    if (text === 'Invalid request.' || text === 'Invalid request URI.')
      return noAnswer('invalid_request', text, res.body)
    const fields = parseAnswer(res.body)
    if (!fields.respCode) return noAnswer('malformed', 'the answer carries no respCode', res.body)
    const said = `respCode ${fields.respCode}${fields.respMsg ? ` ${fields.respMsg}` : ''}`
    if (!fields.signature)
      return noAnswer('missing_signature', `the answer carries no signature (unverified: ${said})`, res.body)
    if (!(await verifyParamsAsync(fields, this.publicKey)))
      return noAnswer(
        'bad_signature',
        'the answer signature does not verify with the configured UnionPay public key',
        res.body,
      )
    // A verified answer about another merchant or transaction is not an answer to our question,
    // whatever its respCode: a signed "34 查无此交易" of another order, replayed, read as "not found"
    // for ours, and not found leads to a close.
    const other = aboutAnotherTrade(fields, {
      merId: this.profile.merId,
      queryId: key.queryId,
      orderId: key.orderId,
    })
    if (other) return noAnswer(other.code, other.msg, res.body)
    const replayed = this.replays.check(fields.signature, { question, sameQuestionRepeats: true })
    if (replayed) return noAnswer('replayed', replayed, res.body)
    // Read as it was signed: the signature covers each value trimmed (sign.ts signContent), so a
    // space or line break around a value is not part of what UnionPay said. Read raw, a traceTime
    // with a line break after it verified and then gave no time at all (found by the gateway fuzz).
    const signed = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.trim()]))
    return { kind: 'answer', fields: signed, raw: res.body }
  }

  /** `question` names our trade, however it is asked for (orderId and txnTime, or queryId). */
  async call(key: QueryKey, question: string, ctx?: CallContext) {
    const ex = await exchange(() => this.buildRequest(key), this.policy, ctx, retryable)
    return { ex, reading: await this.read(ex, key, question) }
  }

  /**
   * The file transfer (txnType 76) with the `fields` of each try, to the file host `url`: signed like
   * a query and its answer verified like one, read up to `maxBytes` since the file comes inside it.
   */
  async fileTransfer(
    fields: () => Fields,
    url: string,
    maxBytes: number,
    question: string,
    ctx?: CallContext,
  ) {
    const ex = await exchange(() => this.request(fields(), url, maxBytes), this.policy, ctx, retryable)
    return this.read(ex, {}, question)
  }

  /** The gateway number when known (no txnTime to get wrong), else our number and its creation time. */
  key(no: string, gatewayNo: string | null, createdAt: number): QueryKey {
    return gatewayNo ? { queryId: gatewayNo } : { orderId: no, txnTime: formatBeijingCompact(createdAt) }
  }
}
