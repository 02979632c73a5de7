import type { SimMerchant } from './state'
import type { SimRequest } from './types'

// The faults a protocol renders in its own answer format, rendered the same way by every protocol:
// a clock gone wrong, a body cut off, a signature by the wrong key. The others (timeout, reset,
// system_error, rate_limit) are the server's or the protocol's own words (server.ts, each handler).

/** How far behind the gateway's clock runs under `clock_skew`: beyond the five minutes every protocol allows. */
export const CLOCK_SKEW_MS = 400_000

/** The time the gateway writes into an answer: CLOCK_SKEW_MS behind under `clock_skew`. */
export function gatewayNow(req: SimRequest, now: number): number {
  return req.fault === 'clock_skew' ? now - CLOCK_SKEW_MS : now
}

/** The Date header of an answer under `clock_skew`; none otherwise, and Node's server sends the true one. */
export function skewedDate(req: SimRequest, now: number): Record<string, string> {
  return req.fault === 'clock_skew' ? { date: new Date(gatewayNow(req, now)).toUTCString() } : {}
}

/** Under `malformed`: the body cut off mid-way, as a broken proxy or a half-written answer leaves it. */
export function cutOff(body: string): string {
  return body.slice(0, Math.max(10, Math.floor(body.length / 2)))
}

/**
 * The private key an answer is signed with: the gateway's (or `key`, WeChat's platform key), except
 * under `bad_signature`, the merchant's own: it looks right and verifies wrong.
 */
export function answerKey(req: SimRequest, m: SimMerchant, key = m.keys.gatewayPrivateKey): string {
  return req.fault === 'bad_signature' ? m.keys.merchantPrivateKey : key
}
