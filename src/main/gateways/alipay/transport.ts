import crypto from 'node:crypto'
import { formatBeijing } from '../../../shared/time'
import { exchange, type Exchange, type HttpResponse, type RetryPolicy } from '../http'
import { readPrivateKey, readPublicKey } from '../key-fields'
import { aboutAnotherTrade, busyStatus, noAnswer, transportFailure, type Reading } from '../kit'
import { signAsync } from '../signing'
import type { CallContext } from '../types'
import { refusalCode, refusalMessage } from './answers'
import { extractSignedContent, requestSignContent, responseNodeName, verifyResponseAsync } from './sign'

// Alipay's open API on the wire (docs/protocols.md section 1): every request signed with the app key
// as the official SDKs send it, every answer's `*_response` node verified with the Alipay public key
// and read from exactly the text the signature covers, and bound to the trade numbers asked about.
// Unsigned answers are errors, never states.

export interface AlipayConfig {
  /** The full `.../gateway.do` URL. */
  endpoint: string
  appId: string
  appPrivateKey: string
  alipayPublicKey: string
  /** Only for an ISV acting for a merchant. */
  appAuthToken?: string
}

/** A verified (or refused) reading of one `*_response` node. */
type AlipayReading = Reading<{ node: Record<string, unknown>; raw: string }>

/** The `*_response` node parsed from the text its signature covers; null when that is no object. */
function signedNode(body: string, nodeName: string): Record<string, unknown> | null {
  const text = extractSignedContent(body, nodeName)
  if (text === null) return null
  try {
    const node = JSON.parse(text) as unknown
    return typeof node === 'object' && node !== null && !Array.isArray(node)
      ? (node as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

export class AlipayTransport {
  private readonly privateKey: crypto.KeyObject
  private readonly publicKey: crypto.KeyObject

  constructor(
    private readonly config: AlipayConfig,
    readonly policy: RetryPolicy,
    readonly now: () => number,
  ) {
    // Parsing the PEM once keeps every later signature to the RSA operation itself.
    this.privateKey = readPrivateKey(config.appPrivateKey)
    this.publicKey = readPublicKey(config.alipayPublicKey)
  }

  /** The request as the official SDKs send it: protocol parameters in the URL, biz_content in the body. */
  private async buildRequest(method: string, biz: Record<string, unknown>) {
    const params: Record<string, string> = {
      app_id: this.config.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: formatBeijing(this.now()),
      version: '1.0',
      biz_content: JSON.stringify(biz),
    }
    if (this.config.appAuthToken) params.app_auth_token = this.config.appAuthToken
    params.sign = await signAsync(requestSignContent(params), this.privateKey)

    const { biz_content, ...query } = params
    const url = new URL(this.config.endpoint)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v)
    return {
      method: 'POST' as const,
      url: url.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        accept: 'application/json',
      },
      body: new URLSearchParams({ biz_content: biz_content! }).toString(),
    }
  }

  /** The checks in their order; only the signature check waits, for the thread pool. */
  private async read(ex: Exchange, method: string): Promise<AlipayReading> {
    if (!ex.ok) return transportFailure(ex)
    const res = ex.response
    if (res.status !== 200)
      return noAnswer(`HTTP_${res.status}`, `the gateway answered HTTP ${res.status}`, res.body)
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(res.body) as Record<string, unknown>
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
    } catch {
      return noAnswer('malformed', 'the gateway answer is not valid JSON', res.body)
    }
    const nodeName = responseNodeName(method)
    const node = parsed[nodeName]
    if (typeof node !== 'object' || node === null) {
      const err = parsed.error_response as Record<string, unknown> | undefined
      if (err && typeof err === 'object') {
        return noAnswer(
          refusalCode(err, 'error_response'),
          refusalMessage(err, 'the gateway refused the request without a message'),
          res.body,
        )
      }
      return noAnswer('malformed', `the answer has no ${nodeName}`, res.body)
    }
    const n = node as Record<string, unknown>
    const sign = parsed.sign
    if (typeof sign !== 'string' || sign === '') {
      return n.code === '10000'
        ? noAnswer('missing_signature', 'the answer carries no signature', res.body)
        : noAnswer(refusalCode(n, 'missing_signature'), refusalMessage(n, 'unsigned gateway error'), res.body)
    }
    if (!(await verifyResponseAsync(res.body, nodeName, sign, this.publicKey)))
      return noAnswer(
        'bad_signature',
        'the answer signature does not verify with the Alipay public key',
        res.body,
      )
    // Read the node from exactly the text the signature covers, never from the parse of the whole
    // body: JSON.parse keeps the last of duplicate keys, while the signed text is the first
    // `*_response` in the body. A second node after the signature (or the signed one tucked under
    // another key) would otherwise be verified and not read: the fuzzer turned a refused close of a
    // paid order into "closed" that way (tests/gateways/parsers-fuzz.test.ts).
    const signed = signedNode(res.body, nodeName)
    if (!signed || JSON.stringify(signed) !== JSON.stringify(n)) {
      return noAnswer(
        'malformed',
        `the answer carries more than one ${nodeName}, or one the signature does not cover`,
        res.body,
      )
    }
    return { kind: 'answer', node: signed, raw: res.body }
  }

  async call(method: string, biz: Record<string, string>, ctx?: CallContext) {
    const ex = await exchange(
      () => this.buildRequest(method, biz),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (busyStatus(res.status)) return true
        // A business answer saying "system busy" is worth another try; nothing else is.
        return /"code"\s*:\s*"20000"|ACQ\.SYSTEM_ERROR|isp\.unknow-error/.test(res.body)
      },
    )
    const reading = await this.read(ex, method)
    // Alipay signs what it answers, not what it was asked: the trade numbers inside tell.
    const other =
      reading.kind === 'answer'
        ? aboutAnotherTrade(reading.node, {
            out_trade_no: biz.out_trade_no,
            out_request_no: biz.out_request_no,
          })
        : null
    return { ex, reading: other ? noAnswer(other.code, other.msg, reading.raw) : reading }
  }
}

/** How a trade call names the trade: by our order number. */
export function tradeKey(t: { gatewayTradeNo: string | null; orderNo: string }) {
  // The merchant order number is always known and always what the gateway was given.
  return { out_trade_no: t.orderNo }
}
