import crypto from 'node:crypto'
import { fenToYuan } from '../../../../shared/money'
import { formatBeijing } from '../../../../shared/time'
import { Bean, formatReqTime, signFields, type DaxpaySignType, type DaxpayVersion } from '../../daxpay/sign'
import { cutOff, gatewayNow, skewedDate } from '../faults'
import type { SimMerchant } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'

// How the simulated DaxPay answers, signed as each generation signs (docs/domain.md A.5): 3.x signs
// the whole wrapper, 2.x the fields inside `data`; refusals raised outside the handler come unsigned.
// The faults that spoil an answer (bad_signature, malformed, clock_skew, unstamped) are rendered here.

export type Fields = Record<string, unknown>

/** A BigDecimal of yuan as Jackson writes it into the body (`10.00`); signed without trailing zeros. */
export class Yuan {
  constructor(readonly fen: number) {}
  get text(): string {
    return fenToYuan(this.fen)
  }
}
const YUAN_MARK = /"@@yuan:(-?\d+\.\d\d)@@"/g

/** The data as it is signed (a Yuan as a plain number) and as the body carries it (a marked string). */
function withYuan(data: Fields, as: 'signed' | 'body'): Fields {
  const out: Fields = {}
  for (const [k, v] of Object.entries(data))
    out[k] = v instanceof Yuan ? (as === 'signed' ? Number(v.text) : `@@yuan:${v.text}@@`) : v
  return out
}

export const versionOf = (m: SimMerchant): DaxpayVersion => (m.ids.version === '2' ? '2' : '3')
export const signTypeOf = (m: SimMerchant): DaxpaySignType =>
  m.ids.signType === 'md5' ? 'md5' : 'hmac_sha256'
export const secretOf = (m: SimMerchant): string => m.ids.signSecret ?? ''
const traceId = () => crypto.randomBytes(9).toString('base64url')

export type DaxpayAnswers = ReturnType<typeof daxpayAnswers>

/** The answers of one simulator: `options.now()` is its clock. */
export function daxpayAnswers(options: SimOptions) {
  function json(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
    return { status, headers: { 'content-type': 'application/json;charset=UTF-8', ...headers }, body }
  }

  /** The body as sent, with the faults that spoil a body applied. */
  function finish(req: SimRequest, body: string, resTimeShifted: boolean): SimResponse {
    const headers = resTimeShifted ? skewedDate(req, options.now()) : {}
    return json(200, req.fault === 'malformed' ? cutOff(body) : body, headers)
  }

  /** The answer time; the clock_skew fault puts it (and the Date header) 400 s in the past. */
  const answerTime = (req: SimRequest) => gatewayNow(req, options.now())

  /** Signing secret of an answer; bad_signature signs with another one: it looks right and verifies wrong. */
  const answerSecret = (req: SimRequest, m: SimMerchant) =>
    req.fault === 'bad_signature' ? `${secretOf(m)}-not-the-secret` : secretOf(m)

  /** A refusal raised outside the handler: the global exception handler writes it, unsigned. */
  function unsigned(req: SimRequest, version: DaxpayVersion, code: number, msg: string): SimResponse {
    const body =
      version === '2'
        ? { msg, code, data: null, traceId: traceId() }
        : { code, msg, data: null, sign: null, resTime: null, traceId: traceId() }
    return finish(req, JSON.stringify(body), false)
  }

  /**
   * 3.x: the whole wrapper is signed, `data` as bean JSON in declaration order (docs/domain.md A.5). A
   * refusal from inside the handler (BizException) is signed too, without data; it carries its time
   * and trace id as the answers do, except under `unstamped`: DaxPay 3.0.0 itself signs such a refusal
   * with neither (PaymentVerifyAspect), so nothing tells a fresh one from a copy.
   */
  function answer3(
    req: SimRequest,
    m: SimMerchant,
    code: number,
    msg: string,
    data: Fields | null,
  ): SimResponse {
    const bare = code !== 0 && req.fault === 'unstamped'
    const resTime = bare ? null : formatBeijing(answerTime(req))
    const wrapper: Fields = {
      code,
      msg,
      data: data ? withYuan(data, 'body') : null,
      sign: null,
      resTime,
      traceId: bare ? null : traceId(),
    }
    const signed: Fields = { ...wrapper, data: data ? new Bean(withYuan(data, 'signed')) : null }
    wrapper.sign = signFields(signed, answerSecret(req, m), signTypeOf(m), '3')
    const body = JSON.stringify(wrapper).replace(YUAN_MARK, '$1')
    return finish(req, body, req.fault === 'clock_skew')
  }

  /** 2.x: the signature lives inside `data` (PaymentCommonResult), the wrapper is plain (docs/domain.md A.5). */
  function answer2(
    req: SimRequest,
    m: SimMerchant,
    code: number,
    msg: string | null,
    fields: Fields,
  ): SimResponse {
    // PaymentCommonResult stamps resTime; under `unstamped` a refusal comes without one.
    const bare = code !== 0 && req.fault === 'unstamped'
    const data: Fields = {
      ...fields,
      code,
      ...(msg ? { msg } : {}),
      ...(bare ? {} : { resTime: formatReqTime(answerTime(req), '2') }),
    }
    data.sign = signFields(data, answerSecret(req, m), signTypeOf(m), '2')
    const body = { msg: 'success', code: 0, data, traceId: traceId() }
    return finish(req, JSON.stringify(body), req.fault === 'clock_skew')
  }

  /** A signed refusal raised in the handler: 3.x in the wrapper, 2.x inside data. */
  function refuse(req: SimRequest, m: SimMerchant, v: DaxpayVersion, code: number, msg: string): SimResponse {
    return v === '3' ? answer3(req, m, code, msg, null) : answer2(req, m, code, msg, {})
  }

  return { unsigned, answer3, answer2, refuse }
}
