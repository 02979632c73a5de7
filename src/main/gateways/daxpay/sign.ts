import crypto from 'node:crypto'
import { formatBeijing, parseBeijing } from '../../../shared/time'

// DaxPay's request and answer signatures, as its PaySignUtil computes them (docs/domain.md A.5, for 2.x and
// 3.x). Shared by the adapter and the simulator; pinned by the known answer of docs/protocols.md section 13.
// The server walks the fields of a Java object, so a few rules only make sense in Java terms: a field's value
// is rendered by its declared type, a Map is sorted at its first level only, and any other object is written
// as JSON in field declaration order.

export type DaxpayVersion = '2' | '3'
export type DaxpaySignType = 'md5' | 'hmac_sha256'

/**
 * An object DaxPay writes as bean JSON: keys stay in the order given (the Java field declaration
 * order, which is also the order of the answer body), never sorted. A plain object is a Map.
 */
export class Bean {
  constructor(readonly fields: Record<string, unknown>) {}
}

/** Java's String.CASE_INSENSITIVE_ORDER, which decides both map key order and which keys collide. */
export function compareIgnoreCase(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    x = upper(x)
    y = upper(y)
    if (x === y) continue
    x = lower(x)
    y = lower(y)
    if (x !== y) return x - y
  }
  return a.length - b.length
}

// Character.toUpperCase(char) maps one UTF-16 unit to one; String#toUpperCase may expand (ß -> SS).
function upper(c: number): number {
  const s = String.fromCharCode(c).toUpperCase()
  return s.length === 1 ? s.charCodeAt(0) : c
}
function lower(c: number): number {
  const s = String.fromCharCode(c).toLowerCase()
  return s.length === 1 ? s.charCodeAt(0) : c
}

/** A case-insensitive TreeMap: the first spelling of a key stays, a later colliding one replaces its value. */
function insensitiveEntries(entries: Iterable<[string, unknown]>): [string, unknown][] {
  const kept: [string, unknown][] = []
  for (const [k, v] of entries) {
    const at = kept.findIndex(([x]) => compareIgnoreCase(x, k) === 0)
    if (at >= 0) kept[at]![1] = v
    else kept.push([k, v])
  }
  return kept.sort(([a], [b]) => compareIgnoreCase(a, b))
}

const present = (v: unknown) => v !== null && v !== undefined

/** JSON as hutool writes it for signing: null members dropped, keys in the order they come. */
function toJson(value: unknown): string {
  if (value instanceof Bean) return toJson(value.fields)
  if (Array.isArray(value)) return `[${value.filter(present).map(toJson).join(',')}]`
  if (typeof value === 'object' && value !== null) return objectJson(Object.entries(value))
  return JSON.stringify(value) ?? 'null'
}

function objectJson(entries: [string, unknown][]): string {
  const members = entries.filter(([, v]) => present(v))
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`
}

/** A Map's JSON: first-level keys in case-insensitive order, deeper levels as they come. */
const mapJson = (map: Record<string, unknown>) => objectJson(insensitiveEntries(Object.entries(map)))

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Bean)
}

/** One field's value as it enters the canonical string, or null when the field is left out. */
export function renderValue(value: unknown): string | null {
  if (!present(value)) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  if (value instanceof Bean) return toJson(value)
  if (Array.isArray(value)) {
    // An empty collection is not put into the map at all; each element is flattened into its own
    // case-insensitive map first.
    const items = value.filter(present)
    if (items.length === 0) return null
    return `[${items.map((i) => (isMap(i) ? mapJson(i) : toJson(i))).join(',')}]`
  }
  if (isMap(value)) return mapJson(value)
  return String(value)
}

/**
 * The link string before the secret: non-null fields but `sign`, keys sorted by UTF-16 code unit
 * (Collections.sort of the TreeMap's keys), `k=v` joined by `&`, every `"` and `\` removed.
 */
export function linkString(fields: Record<string, unknown>): string {
  const rendered: [string, string][] = []
  for (const [k, v] of Object.entries(fields)) {
    const text = renderValue(v)
    if (text !== null) rendered.push([k, text])
  }
  const map = insensitiveEntries(rendered).filter(([k]) => compareIgnoreCase(k, 'sign') !== 0)
  const keys = map.map(([k]) => k).sort()
  const byKey = new Map(map)
  return keys
    .map((k) => `${k}=${String(byKey.get(k))}`)
    .join('&')
    .replace(/["\\]/g, '')
}

/** What is hashed: 3.x upper-cases the whole string, secret included; 2.x does not (7.1, 7.2). */
export function signString(fields: Record<string, unknown>, secret: string, version: DaxpayVersion): string {
  const s = `${linkString(fields)}&key=${secret}`
  return version === '3' ? s.toUpperCase() : s
}

export function digest(text: string, secret: string, signType: DaxpaySignType): string {
  return signType === 'md5'
    ? crypto.createHash('md5').update(text, 'utf8').digest('hex')
    : crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(text, 'utf8').digest('hex')
}

export function signFields(
  fields: Record<string, unknown>,
  secret: string,
  signType: DaxpaySignType,
  version: DaxpayVersion,
): string {
  return digest(signString(fields, secret, version), secret, signType)
}

/** Case-insensitive on the hex, as DaxPay's SDK verifies, and in constant time. */
export function verifyFields(
  fields: Record<string, unknown>,
  sign: unknown,
  secret: string,
  signType: DaxpaySignType,
  version: DaxpayVersion,
): boolean {
  if (typeof sign !== 'string' || sign === '') return false
  const expected = Buffer.from(signFields(fields, secret, signType, version), 'utf8')
  const given = Buffer.from(sign.toLowerCase(), 'utf8')
  return expected.length === given.length && crypto.timingSafeEqual(expected, given)
}

/** reqTime as each version sends it: epoch seconds (2.x), Beijing `yyyy-MM-dd HH:mm:ss` (3.x). */
export function formatReqTime(ms: number, version: DaxpayVersion): number | string {
  return version === '2' ? Math.floor(ms / 1000) : formatBeijing(ms)
}

/** A reqTime or resTime read back into epoch ms, or null when it is not one. */
export function parseDaxTime(value: unknown, version: DaxpayVersion): number | null {
  if (version === '2') {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
    return Number.isSafeInteger(n) && n > 0 ? n * 1000 : null
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null
  return parseBeijing(value)
}

/**
 * The fields an answer was signed over, and its signature (docs/domain.md A.5). 2.x signs inside `data`;
 * 3.x signs the whole wrapper with `data` written as bean JSON in the key order of the body as received.
 */
export function answerSignature(
  body: Record<string, unknown>,
  version: DaxpayVersion,
): { fields: Record<string, unknown>; sign: unknown } | null {
  if (version === '2') {
    const data = body.data
    if (!isMap(data)) return null
    const { sign, ...fields } = data
    return { fields, sign }
  }
  const { sign, ...rest } = body
  const fields: Record<string, unknown> = { ...rest }
  if (isMap(rest.data)) fields.data = new Bean(rest.data)
  return { fields, sign }
}
