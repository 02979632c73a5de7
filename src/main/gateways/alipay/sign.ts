import crypto from 'node:crypto'
import { privateKeyOf, publicKeyOf, verifyAsync } from '../signing'

// Alipay OpenAPI RSA2 signing, as docs/protocols.md section 1.3 and 1.4 describe it and the
// official SDKs do it. Shared by the adapter and the simulator; pinned by the SDK's known-answer vectors.

/** The string a request is signed over: every non-empty parameter but `sign`, sorted, `k=v` joined by `&`. */
export function requestSignContent(params: Record<string, string | undefined | null>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined && params[k] !== null && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&')
}

/** Async notifications leave out `sign_type` as well (docs/protocols.md 1.9). */
export function notifySignContent(params: Record<string, string | undefined | null>): string {
  const rest = { ...params }
  delete rest.sign_type
  return requestSignContent(rest)
}

export function rsa2Sign(content: string, privateKey: crypto.KeyLike): string {
  return crypto.sign('RSA-SHA256', Buffer.from(content, 'utf8'), privateKeyOf(privateKey)).toString('base64')
}

export function rsa2Verify(content: string, signature: string, publicKey: crypto.KeyLike): boolean {
  try {
    return crypto.verify(
      'RSA-SHA256',
      Buffer.from(content, 'utf8'),
      publicKeyOf(publicKey),
      Buffer.from(signature, 'base64'),
    )
  } catch {
    return false
  }
}

/** `alipay.trade.query` -> `alipay_trade_query_response`. */
export function responseNodeName(method: string): string {
  return `${method.replace(/\./g, '_')}_response`
}

/**
 * The exact text of the `<node>` value in a raw response body: the signed content. Scans braces
 * while skipping string literals (with escape parity), as the Java SDK's extractSignContent does, so
 * whitespace, a nested "sign" key or braces inside strings do not fool it. Null when absent.
 */
export function extractSignedContent(body: string, node: string): string | null {
  const key = `"${node}"`
  let i = body.indexOf(key)
  if (i < 0) return null
  i += key.length
  while (i < body.length && body[i] !== '{' && body[i] !== '"') {
    if (body[i] !== ':' && !/\s/.test(body[i]!)) return null
    i++
  }
  if (body[i] === '"') {
    // An encrypted response node is a JSON string; its content is what was signed.
    const end = scanString(body, i)
    return end < 0 ? null : body.slice(i + 1, end)
  }
  const start = i
  let depth = 0
  for (; i < body.length; i++) {
    const c = body[i]
    if (c === '"') {
      i = scanString(body, i)
      if (i < 0) return null
    } else if (c === '{') depth++
    else if (c === '}') {
      depth--
      if (depth === 0) return body.slice(start, i + 1)
    }
  }
  return null
}

/** Index of the quote that closes the string literal opening at `open`, or -1. */
function scanString(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === '"') return i
  }
  return -1
}

/**
 * The texts a response's signature may be over, in the order the Java SDK tries them: the raw node
 * text, then once more with `\/` unescaped, since a gateway may escape slashes in what it sends but
 * sign the plain text. Empty when the node is not there.
 */
function signedContents(body: string, node: string): string[] {
  const content = extractSignedContent(body, node)
  if (content === null) return []
  return content.includes('\\/') ? [content, content.replace(/\\\//g, '/')] : [content]
}

/** Verifies a response the way the Java SDK does (see `signedContents`). */
export function verifyResponse(
  body: string,
  node: string,
  sign: string,
  publicKeyPem: crypto.KeyLike,
): boolean {
  return signedContents(body, node).some((c) => rsa2Verify(c, sign, publicKeyPem))
}

/**
 * `verifyResponse` with the RSA checks on libuv's thread pool, for the adapter: the same texts in
 * the same order, the same answer.
 */
export async function verifyResponseAsync(
  body: string,
  node: string,
  sign: string,
  publicKey: crypto.KeyLike,
): Promise<boolean> {
  for (const c of signedContents(body, node)) if (await verifyAsync(c, sign, publicKey)) return true
  return false
}

/** Wraps a public key given as bare Base64 (as the Alipay console shows it) into PEM. */
export function toPem(key: string, kind: 'PUBLIC KEY' | 'PRIVATE KEY' | 'RSA PRIVATE KEY'): string {
  const k = key.trim()
  if (k.startsWith('-----BEGIN')) return k
  const body = k
    .replace(/\s+/g, '')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----`
}
