import { ApiError } from '../../shared/errors'
import type { ImportRowError } from '../../shared/import-report'
import { isMessageId, say } from '../../shared/messages'
import { formatYuan } from '../../shared/money'
import { lang } from './i18n'

/** `2026-11-20T10:00:00.000+08:00` -> `2026-11-20 10:00:00` (already Beijing time). */
export function time(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : ''
}

/** 1234567 -> "1,234,567": counts read at a glance. */
export function count(n: number): string {
  return n.toLocaleString('en-US')
}

export function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '' : formatYuan(fen)
}

/**
 * The gateway's text pretty-printed: JSON indented, a form-encoded answer (UnionPay's
 * `respCode=00&...`) one `key = value` a line, percent-decoded; anything else as received.
 */
export function prettyText(raw: string | null): string {
  if (!raw) return ''
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    if (!/^[\w.-]+=[^&]*(&[\w.-]+=[^&]*)+$/.test(raw.trim())) return raw
    // By hand, not URLSearchParams: that reads a + as a space, and signatures are base64.
    const field = (pair: string) => {
      const at = pair.indexOf('=')
      const value = pair.slice(at + 1)
      try {
        return `${pair.slice(0, at)} = ${decodeURIComponent(value)}`
      } catch {
        return `${pair.slice(0, at)} = ${value}`
      }
    }
    return raw.trim().split('&').map(field).join('\n')
  }
}

/** 1234 -> "1.2 s", 80 -> "80 ms", null -> "". */
export function millis(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return ''
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** A clock difference with its sign, in the whole seconds gateways write: "+3 s", "0 s". */
export function skew(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return ''
  const s = Math.round(Math.abs(ms) / 100) / 10
  return `${ms > 0 ? '+' : ms < 0 ? '-' : ''}${s} s`
}

/** 125 -> "2:05", 3725 -> "1:02:05". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return ''
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/** Why an imported row was rejected, in the window's language. */
export function rowReason(e: Pick<ImportRowError, 'reason' | 'said'>): string {
  return e.said && isMessageId(e.said.id) ? say(e.said.id, e.said.params, lang.value) : e.reason
}

/** The one sentence of an error from main (every transport carries `message`). */
export function errorText(err: unknown): string {
  // Main's sentences come with their catalog entry: shown in the window's language.
  if (err instanceof ApiError && isMessageId(err.id)) return say(err.id, err.params, lang.value)
  if (err instanceof Error) return err.message
  return typeof err === 'string' ? err : String(err)
}

/** A fee in 1e-5 yuan (bills carry five decimals): 1234 -> "0.01234", as the export writes it. */
export function feeYuan(e5: number | null | undefined): string {
  if (e5 === null || e5 === undefined) return ''
  const abs = Math.abs(e5)
  return `${e5 < 0 ? '-' : ''}${Math.floor(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`
}
