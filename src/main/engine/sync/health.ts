import type { Outcome } from '../../../shared/domain'
import { clockSkewMs } from '../../gateways/http'
import type { MerchantHealth } from '../../store/merchants'
import type { Finding } from './finding'

/** A good call is written at most this often per merchant; an error is written at once. */
const EVERY_MS = 10_000

/**
 * The merchant's last good call, latency and clock skew, for the overview, taken from ordinary syncs
 * too. Throttled so that a batch does not rewrite the profile row on every call. It only says what to
 * write: the attempt's transaction writes it, on whichever store holds the books (write.ts).
 */
export class HealthThrottle {
  private readonly written = new Map<number, number>()

  note(
    merchantId: number,
    outcome: Outcome,
    errorMsg: string | null,
    f: Finding,
    now: number,
  ): MerchantHealth | null {
    // A skipped attempt asked nothing; a finding without latency never reached the gateway.
    if (outcome === 'skipped' || f.latencyMs === undefined) return null
    const last = this.written.get(merchantId) ?? 0
    if (outcome !== 'error' && now - last < EVERY_MS) return null
    this.written.set(merchantId, now)
    return {
      ok: outcome !== 'error',
      error: outcome === 'error' ? errorMsg : null,
      errorCode: outcome === 'error' ? f.errorCode : null,
      latencyMs: f.latencyMs,
      clockSkewMs: f.latencyMs === null ? null : clockSkewMs(now, f.serverTime ?? null, f.latencyMs),
    }
  }
}
