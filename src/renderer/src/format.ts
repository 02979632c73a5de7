import { formatYuan } from '../../shared/money'

/** `2026-11-20T10:00:00.000+08:00` -> `2026-11-20 10:00:00` (already Beijing time). */
export function time(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace('T', ' ') : ''
}

export function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '' : formatYuan(fen)
}

/** The gateway's text pretty-printed when it is JSON, as received otherwise. */
export function prettyText(raw: string | null): string {
  if (!raw) return ''
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}
