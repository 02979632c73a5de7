import crypto from 'node:crypto'
import type { WechatProfile } from '../../../shared/profiles'
import { APP_VERSION } from '../../../shared/version'
import { exchange, type Exchange, type HttpRequest, type HttpResponse, type RetryPolicy } from '../http'
import { readPemPrivateKey } from '../key-fields'
import { busyStatus, callMeta, noAnswer, transportFailure, type CallMeta, type Reading } from '../kit'
import { ReplayCache } from '../replay-cache'
import { signAsync, verifyAsync } from '../signing'
import type { CallContext } from '../types'
import { PlatformKeys } from './certificates'
import {
  authorization,
  MAX_CLOCK_OFFSET_SEC,
  nonce,
  PROBE_PREFIX,
  requestMessage,
  responseMessage,
} from './sign'
import type { Json } from './states'

// WeChat Pay APIv3 on the wire: every request signed with the merchant key, every answer that could
// change a trade verified first: signature over timestamp, nonce and the raw body with the key named
// by Wechatpay-Serial (a platform certificate serial or a PUB_KEY_ID), timestamp within 300 s, probe
// signatures refused, and an answer received before refused as a replay (its serial, nonce and
// timestamp: WeChat signs every answer with a nonce of its own). Unsigned answers, 404s included, are
// errors, never states.

export type WechatReading = Reading<{ status: number; body: string; json: Json | null }>

export interface Exchanged {
  reading: WechatReading
  meta: CallMeta
}

const USER_AGENT = `PaySyncDesk/${APP_VERSION} (Node.js; +https://github.com/paysync-desk)`

export const enc = encodeURIComponent

export class WechatTransport {
  private readonly privateKey: crypto.KeyObject
  readonly certificates: PlatformKeys
  /** Our clock minus WeChat's, from the last answer's Wechatpay-Timestamp. */
  lastClockSkewMs: number | null = null
  /** The signed answers of this merchant already received (docs/domain.md 6.4). */
  private readonly replays: ReplayCache

  constructor(
    readonly profile: WechatProfile,
    private readonly policy: RetryPolicy,
    private readonly now: () => number,
  ) {
    this.privateKey = readPemPrivateKey(profile.privateKey)
    this.certificates = new PlatformKeys(profile, () => this.downloadCertificates(), now)
    this.replays = new ReplayCache(now)
  }

  get partner(): boolean {
    return this.profile.mode === 'partner'
  }

  /** The ids a signed answer about our own merchant names, by mode. */
  merchantIds(): Record<string, string | undefined> {
    return this.partner
      ? { sp_mchid: this.profile.mchid, sub_mchid: this.profile.subMchid }
      : { mchid: this.profile.mchid }
  }

  /** The query string that scopes a request to our merchant, by mode. */
  scope(): string {
    return this.partner
      ? `sp_mchid=${enc(this.profile.mchid)}&sub_mchid=${enc(this.profile.subMchid ?? '')}`
      : `mchid=${enc(this.profile.mchid)}`
  }

  /** A request, signed afresh for every try: timestamp and nonce must be new each time. */
  private async request(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    text: string | undefined,
    nameKey: boolean,
  ): Promise<HttpRequest> {
    const timestamp = String(Math.floor(this.now() / 1000))
    const n = nonce()
    const signature = await signAsync(
      requestMessage(method, pathAndQuery, timestamp, n, text ?? ''),
      this.privateKey,
    )
    const headers: Record<string, string> = {
      Authorization: authorization({
        mchid: this.profile.mchid,
        nonce: n,
        signature,
        timestamp,
        serial: this.profile.serialNo,
      }),
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    }
    if (text !== undefined) headers['Content-Type'] = 'application/json'
    // In public-key mode the key is named on every request; WeChat then signs the answer with it.
    const keyId = this.certificates.publicKeyId
    if (nameKey && keyId) headers['Wechatpay-Serial'] = keyId
    return { method, url: `${this.profile.endpoint.replace(/\/+$/, '')}${pathAndQuery}`, headers, body: text }
  }

  private exchange(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    text: string | undefined,
    ctx: CallContext | undefined,
    nameKey = true,
  ): Promise<Exchange> {
    return exchange(
      () => this.request(method, pathAndQuery, text, nameKey),
      this.policy,
      ctx,
      (res) => busyStatus(res.status),
    )
  }

  /**
   * The bill download's request (docs/reconcile.md A1.2): signed like any call, over the link's own
   * path and query, as the link was given; its answer is the file, which nobody signs.
   */
  async billRequest(link: URL): Promise<HttpRequest> {
    const req = await this.request('GET', `${link.pathname}${link.search}`, undefined, false)
    return { ...req, url: link.toString(), headers: { ...req.headers, Accept: '*/*' } }
  }

  /** The certificate download waits for no gate: it happens inside a call that already had its turn. */
  private downloadCertificates(): Promise<Exchange> {
    return this.exchange('GET', '/v3/certificates', undefined, undefined, false)
  }

  async send(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body: Json | undefined,
    ctx?: CallContext,
  ): Promise<Exchanged> {
    const ex = await this.exchange(
      method,
      pathAndQuery,
      body === undefined ? undefined : JSON.stringify(body),
      ctx,
    )
    // What the answer is taken to answer, for the replay check's sentence: the call without its query.
    const question = `${method} ${pathAndQuery.split('?')[0]!}`
    const reading = ex.ok ? await this.read(ex.response, question) : transportFailure(ex)
    return { reading, meta: callMeta(ex) }
  }

  private async read(res: HttpResponse, question: string): Promise<WechatReading> {
    const code = errorCode(res.body)
    if (res.status === 401)
      return noAnswer(
        code ?? 'SIGN_ERROR',
        `WeChat Pay refused our request signature: ${errorMessage(res.body) ?? 'SIGN_ERROR'} (check the merchant key, its serial number and this computer's clock)`,
        res.body,
      )
    const h = res.headers
    const ts = h['wechatpay-timestamp']
    const n = h['wechatpay-nonce']
    const signature = h['wechatpay-signature']
    const serial = h['wechatpay-serial']
    if (!ts || !n || !signature || !serial)
      return noAnswer(
        code ?? `HTTP_${res.status}`,
        `unsigned answer (HTTP ${res.status}${code ? ` ${code}` : ''}): not trusted`,
        res.body,
      )
    if (signature.startsWith(PROBE_PREFIX))
      return noAnswer(
        'probe_signature',
        'a WeChat Pay signature probe (WECHATPAY/SIGNTEST/): refused as it must be',
        res.body,
      )
    const skewSec = Math.floor(this.now() / 1000) - Number(ts)
    this.lastClockSkewMs = Number.isFinite(skewSec) ? skewSec * 1000 : null
    if (!Number.isFinite(skewSec) || Math.abs(skewSec) >= MAX_CLOCK_OFFSET_SEC)
      return noAnswer(
        'clock_skew',
        `the answer's timestamp is ${skewSec} s away from this computer's clock (300 s at most): correct the clock`,
        res.body,
      )
    const key = await this.certificates.keyFor(serial)
    if (!key)
      return noAnswer(
        'unknown_serial',
        `the answer is signed with key ${serial}, which this profile does not have; add it to the platform keys`,
        res.body,
      )
    if (!(await verifyAsync(responseMessage(ts, n, res.body), signature, key)))
      return noAnswer('bad_signature', `the answer's signature does not verify with key ${serial}`, res.body)
    const replayed = this.replays.check(`${serial}\n${n}\n${ts}`, { question })
    if (replayed) return noAnswer('replayed', replayed, res.body)
    let json: Json | null = null
    if (res.body !== '') {
      try {
        const parsed = JSON.parse(res.body) as unknown
        if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
        json = parsed as Json
      } catch {
        return noAnswer('malformed', 'the answer is not valid JSON', res.body)
      }
    }
    return { kind: 'answer', status: res.status, body: res.body, json }
  }
}

/** The `code` of a WeChat Pay error body, if it has one. */
export function errorCode(body: string): string | null {
  try {
    const c = (JSON.parse(body) as Json).code
    return typeof c === 'string' ? c : null
  } catch {
    return null
  }
}

/** The `message` of a WeChat Pay error body; a blank one is none, and the error then says what happened. */
export function errorMessage(body: string): string | null {
  try {
    const m = (JSON.parse(body) as Json).message
    return typeof m === 'string' && m.trim() !== '' ? m : null
  } catch {
    return null
  }
}

/** A verified answer that is neither the state asked for nor a known refusal: its code, as an error. */
export function unexpected(r: { status: number; body: string; json: Json | null }): {
  code: string
  msg: string
  raw: string
  rawStatus: string
} {
  const code = typeof r.json?.code === 'string' ? r.json.code : `HTTP_${r.status}`
  return {
    code,
    msg: errorMessage(r.body) ?? `HTTP ${r.status}`,
    raw: r.body,
    rawStatus: `${r.status} ${code}`,
  }
}
