import { isProfileField, type LabelGroup } from '../../shared/labels'
import { label, t, type MessageKey } from './i18n'
import { zh } from './i18n/zh'

// The particulars of an audit row (JSON text main wrote: names, ids, fingerprints, never a secret)
// as one line a person reads: keys by their names in the window's language, a change as old → new.

function keyName(key: string): string {
  const known = `auditKey.${key}`
  if (known in zh) return t(known as MessageKey)
  return isProfileField(key) ? label('profileField', key) : key
}

/** Details whose values are profile fields by code: the secrets a profile holds or had replaced. */
const FIELD_LISTS = new Set(['secrets', 'secretsChanged'])

/** Details whose values are domain codes, named as the lists name them (a code of another kind stays). */
const CODES: Readonly<Record<string, LabelGroup>> = {
  channel: 'channel',
  action: 'anomalyAction',
  kind: 'anomalyKind',
}

function said(v: unknown, nested = false, key = ''): string {
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) {
    const items = v.map((x) =>
      FIELD_LISTS.has(key) && typeof x === 'string' && isProfileField(x)
        ? label('profileField', x)
        : said(x, true),
    )
    return items.length ? items.join(', ') : '—'
  }
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no')
  const group = CODES[key]
  if (typeof v === 'string' && group) return label(group, v)
  if (typeof v !== 'object') return String(v as string | number)
  const o = v as Record<string, unknown>
  const keys = Object.keys(o)
  if (keys.length === 2 && 'from' in o && 'to' in o) return `${said(o.from, true)} → ${said(o.to, true)}`
  const parts = keys.map((k) => `${keyName(k)}: ${said(o[k], true, k)}`)
  if (!parts.length) return '—'
  return nested ? `(${parts.join(', ')})` : parts.join('; ')
}

/** An audit row's detail as text; text that is not JSON is shown as it is. */
export function auditDetail(detail: string | null): string {
  if (!detail) return ''
  try {
    return said(JSON.parse(detail) as unknown)
  } catch {
    return detail
  }
}
