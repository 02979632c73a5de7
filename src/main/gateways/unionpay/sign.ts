import crypto from 'node:crypto'
import { signAsync, verifyAsync } from '../signing'

// UnionPay online gateway signing, version 5.1.0 with signMethod 01 (docs/protocols.md section 3,
// as the official SDKs do it): the RSA signature is over the lowercase hex SHA-256 digest of the
// sorted parameter string, not over the string itself. Shared by the adapter and the simulator.

export type Params = Record<string, string | undefined | null>

/**
 * The string a message is signed over: every parameter but `signature`, values trimmed, empty ones
 * left out (the SDKs drop blank fields before signing a request), sorted by key, `k=v` joined by `&`.
 */
export function signContent(params: Params): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .map((k) => [k, (params[k] ?? '').trim()] as const)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex')
}

/** Base64(SHA256withRSA(hex(SHA-256(content)))). */
export function signString(content: string, privateKey: crypto.KeyLike): string {
  return crypto.sign('RSA-SHA256', Buffer.from(sha256Hex(content), 'utf8'), privateKey).toString('base64')
}

export function verifyString(content: string, signature: string, publicKey: crypto.KeyLike): boolean {
  try {
    return crypto.verify(
      'RSA-SHA256',
      Buffer.from(sha256Hex(content), 'utf8'),
      publicKey,
      Buffer.from(signature, 'base64'),
    )
  } catch {
    return false
  }
}

export function signParams(params: Params, privateKey: crypto.KeyLike): string {
  return signString(signContent(params), privateKey)
}

/**
 * The texts `params.signature` may be over, in the order tried. Some SDKs verify answers with empty
 * fields kept as `k=`; a gateway that signs that way is accepted too, since the content is the same
 * fields. Empty when there is no signature to check.
 */
function signedContents(params: Params): string[] {
  const signature = params.signature
  if (typeof signature !== 'string' || signature.trim() === '') return []
  const contents = [signContent(params)]
  const keys = Object.keys(params).filter((k) => k !== 'signature')
  if (keys.some((k) => (params[k] ?? '').trim() === ''))
    contents.push(
      keys
        .sort()
        .map((k) => `${k}=${(params[k] ?? '').trim()}`)
        .join('&'),
    )
  return contents
}

/** Checks `params.signature` against the other parameters (see `signedContents`). */
export function verifyParams(params: Params, publicKey: crypto.KeyLike): boolean {
  return signedContents(params).some((c) => verifyString(c, params.signature!.trim(), publicKey))
}

/** `signParams` on libuv's thread pool, for the adapter: the same signature. */
export function signParamsAsync(params: Params, privateKey: crypto.KeyLike): Promise<string> {
  return signAsync(sha256Hex(signContent(params)), privateKey)
}

/** `verifyParams` with the RSA checks on libuv's thread pool, for the adapter: the same answer. */
export async function verifyParamsAsync(params: Params, publicKey: crypto.KeyLike): Promise<boolean> {
  for (const content of signedContents(params))
    if (await verifyAsync(sha256Hex(content), params.signature!.trim(), publicKey)) return true
  return false
}

/** A request body: `application/x-www-form-urlencoded`, UTF-8, values trimmed as they were signed. */
export function encodeForm(params: Params): string {
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    const value = (v ?? '').trim()
    if (value !== '') form.append(k, value)
  }
  return form.toString()
}

/** Reads a form-encoded request body; a repeated key keeps its last value. */
export function decodeForm(body: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(body)) out[k] = v
  return out
}

/**
 * An answer as the gateway writes it: `k=v` pairs joined by `&`, sorted, values raw. UnionPay does
 * not percent-encode its answers, so the Base64 signature and a PEM certificate travel as they are.
 */
export function formatAnswer(params: Params): string {
  return Object.keys(params)
    .filter((k) => (params[k] ?? '') !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&')
}

/**
 * Reads an answer the way the official SDKs' parseQString does: no URL decoding, the first `=`
 * ends a key, and `&` inside `{...}` or `[...]` belongs to the value (reserved fields carry
 * `{k=v&k=v}`; messages carry `成功[0000000]`). A body wrapped in braces is unwrapped first.
 */
export function parseAnswer(body: string): Record<string, string> {
  let text = body.trim()
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1)
  const out: Record<string, string> = {}
  let key = ''
  let buf = ''
  let inKey = true
  let close: string | null = null
  const put = () => {
    const k = inKey ? buf : key
    if (k !== '') out[k] = inKey ? '' : buf
  }
  for (const c of text) {
    if (close !== null) {
      if (c === close) close = null
      buf += c
    } else if (c === '{' || c === '[') {
      close = c === '{' ? '}' : ']'
      buf += c
    } else if (inKey && c === '=') {
      key = buf
      buf = ''
      inKey = false
    } else if (c === '&') {
      put()
      buf = ''
      key = ''
      inKey = true
    } else buf += c
  }
  put()
  return out
}
