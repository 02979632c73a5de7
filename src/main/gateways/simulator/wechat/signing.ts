import crypto from 'node:crypto'
import {
  parseAuthorization,
  PROBE_PREFIX,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from '../../wechat/sign'
import { answerKey, cutOff, gatewayNow } from '../faults'
import type { SimMerchant, SimState } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import type { Json, Reply } from './replies'

// Who is calling the simulated WeChat Pay and how it signs back: the request's Authorization checked
// over the raw request target and body (401 SIGN_ERROR, with no Wechatpay-* headers, when it fails),
// every other answer signed with the key of the merchant's key mode, 204s over an empty body; the
// faults that spoil a signature or a body (bad_signature, probe_signature, malformed, clock_skew)
// are rendered here.

export type WechatSigning = ReturnType<typeof wechatSigning>

export function wechatSigning(state: SimState, options: SimOptions) {
  let alternate = 0

  function merchantOf(mchid: string): SimMerchant | undefined {
    for (const m of state.merchants.values()) if (m.channel === 'wechat' && m.ids.mchid === mchid) return m
    return undefined
  }

  function signingKey(m: SimMerchant, req: SimRequest): { serial: string; key: string } {
    const mode = m.ids.keyMode ?? 'publicKey'
    const byPublicKey = { serial: m.ids.publicKeyId!, key: m.keys.gatewayPrivateKey }
    const byCertificate = { serial: m.ids.platformSerial!, key: m.keys.platformPrivateKey! }
    if (mode === 'publicKey') return byPublicKey
    // The certificate download is signed by a certificate it carries, so a client can bootstrap from it.
    if (mode === 'certificate' || req.url.pathname === '/v3/certificates') return byCertificate
    return alternate++ % 2 === 0 ? byPublicKey : byCertificate
  }

  function respond(req: SimRequest, m: SimMerchant, reply: Reply): SimResponse {
    let body = reply.body === undefined ? '' : JSON.stringify(reply.body)
    if (req.fault === 'malformed' && body) body = cutOff(body)
    const timestamp = String(Math.floor(gatewayNow(req, options.now()) / 1000))
    const nonceText = crypto.randomBytes(16).toString('hex')
    const { serial, key } = signingKey(m, req)
    let signature = rsaSign(responseMessage(timestamp, nonceText, body), answerKey(req, m, key))
    if (req.fault === 'probe_signature') signature = PROBE_PREFIX + crypto.randomBytes(64).toString('base64')
    const headers: Record<string, string> = {
      'request-id': `${crypto.randomBytes(20).toString('hex').toUpperCase()}-${reply.code ?? 0}`,
      'wechatpay-nonce': nonceText,
      'wechatpay-timestamp': timestamp,
      'wechatpay-serial': serial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'wechatpay-signature': signature,
    }
    if (body) headers['content-type'] = 'application/json; charset=utf-8'
    return { status: reply.status, headers, body }
  }

  function plain(status: number, body: Json): SimResponse {
    return {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'request-id': crypto.randomBytes(20).toString('hex').toUpperCase(),
      },
      body: JSON.stringify(body),
    }
  }

  /** Checks who is calling and that they signed what they sent; an error response when not. */
  function authenticate(req: SimRequest): SimMerchant | SimResponse {
    if (!req.headers.accept || !req.headers['user-agent']) {
      return plain(400, { code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent' })
    }
    const auth = parseAuthorization(req.headers.authorization)
    const m = auth ? merchantOf(auth.mchid!) : undefined
    const refuse = (issue: string) => {
      state.stats.rejectedSignatures += 1
      return plain(401, {
        code: 'SIGN_ERROR',
        message: '错误的签名，验签失败',
        detail: {
          detail: { issue },
          field: 'signature',
          location: 'authorization',
          sign_information: { method: req.method, url: req.target },
        },
      })
    }
    if (!auth || !m) return refuse('mchid or authorization missing')
    if (auth.serial_no !== m.ids.merchantSerial) return refuse('serial_no is not the merchant certificate')
    if (Math.abs(Math.floor(options.now() / 1000) - Number(auth.timestamp)) > 300)
      return refuse('timestamp expired')
    const message = requestMessage(req.method, req.target, auth.timestamp!, auth.nonce_str!, req.body)
    if (!rsaVerify(message, auth.signature!, m.keys.merchantPublicKey)) return refuse('sign not match')
    return m
  }

  return { merchantOf, respond, plain, authenticate }
}
