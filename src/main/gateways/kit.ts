import type { Exchange } from './http'
import type { AnswerBase, ConnectionTest, PayAnswer, RefundAnswer } from './types'

// The answer plumbing every adapter shares: what a call cost, the answers that carry no state (an
// error, a refusal, not found), the one check that a signed answer is about the trade we asked
// about, and the connection report. An adapter keeps only its protocol: how to ask, how to verify,
// what its words mean (docs/domain.md section 3).

/** What a call cost: requests made, the last one's round trip, the gateway's clock (HTTP Date). */
export interface CallMeta {
  attempts: number
  latencyMs: number | null
  serverTime: number | null
}

export function callMeta(ex: Exchange): CallMeta {
  return { attempts: ex.attempts, latencyMs: ex.latencyMs, serverTime: ex.ok ? ex.serverTime : null }
}

/**
 * Whether an HTTP status is worth another try whatever the body says: the server's trouble (5xx) or
 * its "too many requests" (429). A channel's own retry rule adds the busy words of its protocol.
 */
export function busyStatus(status: number): boolean {
  return status >= 500 || status === 429
}

/** Why a call has no usable answer, and the text that came back (null when nothing did). */
export interface Failure {
  code: string
  msg: string
  raw: string | null
}

/** The error half of every adapter's reading of a response. */
export type NoAnswer = Failure & { kind: 'error' }

/** A response read: a verified answer with what the adapter kept of it, or no answer and why. */
export type Reading<Kept extends object> = ({ kind: 'answer' } & Kept) | NoAnswer

export function noAnswer(code: string, msg: string, raw: string | null): NoAnswer {
  return { kind: 'error', code, msg, raw }
}

/** A call that ended without a response it could keep: the transport's words, and the last body if any. */
export function transportFailure(ex: Extract<Exchange, { ok: false }>): NoAnswer {
  return noAnswer(ex.failure.code, ex.failure.message, ex.lastResponse?.body ?? null)
}

/** A pay query without a state: `sync_error`, with the gateway's word or ours for why. */
export function payFailure(meta: CallMeta, f: Failure, rawStatus: string | null = f.code): PayAnswer {
  return {
    status: 'sync_error',
    rawStatus,
    rawText: f.raw,
    errorCode: f.code,
    errorMsg: f.msg,
    amount: null,
    gatewayTradeNo: null,
    paidAt: null,
    ...meta,
  }
}

export function refundFailure(meta: CallMeta, f: Failure, rawStatus: string | null = f.code): RefundAnswer {
  return {
    status: 'sync_error',
    rawStatus,
    rawText: f.raw,
    errorCode: f.code,
    errorMsg: f.msg,
    amount: null,
    gatewayRefundNo: null,
    finishedAt: null,
    ...meta,
  }
}

/** A close, a payscore cancel or a payscore sync that did not happen, or whose answer could not be used. */
export function closeFailure(
  meta: CallMeta,
  f: Failure,
  rawStatus: string | null = f.code,
): AnswerBase & { result: 'error' } {
  return { result: 'error', rawStatus, rawText: f.raw, errorCode: f.code, errorMsg: f.msg, ...meta }
}

/** The gateway's verified "no such trade": a state (the decision tables' not found), not an error. */
export function payNotFound(meta: CallMeta, rawStatus: string, raw: string): PayAnswer {
  return {
    status: 'pay_not_found',
    rawStatus,
    rawText: raw,
    errorCode: null,
    errorMsg: null,
    amount: null,
    gatewayTradeNo: null,
    paidAt: null,
    ...meta,
  }
}

export function refundNotFound(meta: CallMeta, rawStatus: string, raw: string): RefundAnswer {
  return {
    status: 'refund_not_found',
    rawStatus,
    rawText: raw,
    errorCode: null,
    errorMsg: null,
    amount: null,
    gatewayRefundNo: null,
    finishedAt: null,
    ...meta,
  }
}

type Unstated<A> = Omit<A, 'status' | 'errorCode' | 'errorMsg'>

/**
 * A verified answer that still cannot be believed (a word we do not know, a figure that is no
 * amount, UnionPay's success with a defect): what was read stays on the record, the state is
 * `sync_error`, so no repair follows from it.
 */
export function unusable(answer: Unstated<PayAnswer>, code: string, msg: string): PayAnswer
export function unusable(answer: Unstated<RefundAnswer>, code: string, msg: string): RefundAnswer
export function unusable(
  answer: Unstated<PayAnswer> | Unstated<RefundAnswer>,
  code: string,
  msg: string,
): PayAnswer | RefundAnswer {
  return { ...answer, status: 'sync_error', errorCode: code, errorMsg: msg }
}

/** The unknown-word answer: a verified answer whose state word or figure we cannot read. */
export function malformed(answer: Unstated<PayAnswer>, msg: string): PayAnswer
export function malformed(answer: Unstated<RefundAnswer>, msg: string): RefundAnswer
export function malformed(
  answer: Unstated<PayAnswer> | Unstated<RefundAnswer>,
  msg: string,
): PayAnswer | RefundAnswer {
  return { ...answer, status: 'sync_error', errorCode: 'malformed', errorMsg: msg }
}

/**
 * The one implementation of "a signed answer about another trade is no answer to ours". Gateways
 * sign what they answer, not what they were asked, so an intermediary can send back a genuine
 * signed answer about another order or refund (a paid one, or a not-found one, which leads to a
 * close) within its validity; the numbers inside it tell. Every number we asked by (a non-empty
 * value in `asked`) that the answer also names must be the same. Found by
 * tests/gateways/parsers-fuzz.test.ts, where such replays read as paid and as not found.
 */
export function aboutAnotherTrade(
  said: Readonly<Record<string, unknown>>,
  asked: Readonly<Record<string, string | null | undefined>>,
): { code: 'mismatch'; msg: string } | null {
  for (const [key, value] of Object.entries(asked)) {
    const named = said[key]
    if (!value || named === undefined || named === null) continue
    if (String(named) !== value)
      return {
        code: 'mismatch',
        msg: `the answer is about ${key} ${String(named)}, not ${value} that was asked about`,
      }
  }
  return null
}

/** Codes that mean an answer came signed, and the signature is not the gateway's. */
const REFUSED_SIGNATURES = new Set(['bad_signature', 'probe_signature'])

/**
 * What testConnection reports of its probe: a verified answer (`accepted` false when it is the
 * gateway refusing our merchant or key), or why no verified answer came.
 */
export function connectionReport(
  probe: { kind: 'answer'; reply: string; accepted?: boolean } | NoAnswer,
  clockSkewMs: number | null,
  latencyMs: number | null,
): ConnectionTest {
  if (probe.kind === 'error')
    return {
      ok: false,
      signatureValid: REFUSED_SIGNATURES.has(probe.code) ? false : null,
      clockSkewMs,
      latencyMs,
      message: `${probe.code}: ${probe.msg}`,
      code: probe.code,
    }
  return {
    ok: probe.accepted ?? true,
    signatureValid: true,
    clockSkewMs,
    latencyMs,
    message: `signed answer verified (${probe.reply})`,
    reply: probe.reply,
  }
}
