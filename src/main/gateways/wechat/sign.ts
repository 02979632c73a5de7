import crypto from 'node:crypto'
import { privateKeyOf, publicKeyOf } from '../signing'

// WeChat Pay APIv3 signatures (docs/protocols.md sections 2.2 to 2.4), shared by the adapter and the
// simulator and pinned by the official SDK's known-answer vectors.

export const SCHEME = 'WECHATPAY2-SHA256-RSA2048'
/** Signatures WeChat sends on purpose to test that merchants really verify (they must fail). */
export const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/'
export const MAX_CLOCK_OFFSET_SEC = 300

/** The request message: method, path and query exactly as sent, timestamp, nonce, body, each ending in \n. */
export function requestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`
}

/** The response (and callback) message: timestamp, nonce, raw body, each ending in \n. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`
}

export function rsaSign(message: string, privateKey: crypto.KeyLike): string {
  return crypto.sign('RSA-SHA256', Buffer.from(message, 'utf8'), privateKeyOf(privateKey)).toString('base64')
}

export function rsaVerify(message: string, signature: string, publicKey: crypto.KeyLike): boolean {
  try {
    return crypto.verify(
      'RSA-SHA256',
      Buffer.from(message, 'utf8'),
      publicKeyOf(publicKey),
      Buffer.from(signature, 'base64'),
    )
  } catch {
    return false
  }
}

export function nonce(): string {
  return crypto.randomBytes(16).toString('hex').toUpperCase()
}

export function authorization(p: {
  mchid: string
  nonce: string
  signature: string
  timestamp: string
  serial: string
}): string {
  return `${SCHEME} mchid="${p.mchid}",nonce_str="${p.nonce}",signature="${p.signature}",timestamp="${p.timestamp}",serial_no="${p.serial}"`
}

/** Reads an Authorization header; the five pairs may come in any order. Null when it is not ours. */
export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header || !header.startsWith(`${SCHEME} `)) return null
  const out: Record<string, string> = {}
  for (const m of header.slice(SCHEME.length + 1).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!
  for (const k of ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no']) if (!(k in out)) return null
  return out
}

/** AEAD_AES_256_GCM with the APIv3 key: ciphertext is Base64 of the encrypted bytes followed by the 16-byte tag. */
export function aeadDecrypt(
  ciphertext: string,
  apiV3Key: string,
  nonceText: string,
  associatedData: string,
): string {
  const buf = Buffer.from(ciphertext, 'base64')
  const decipher = crypto.createDecipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(nonceText, 'utf8'),
  )
  decipher.setAuthTag(buf.subarray(buf.length - 16))
  decipher.setAAD(Buffer.from(associatedData, 'utf8'))
  return Buffer.concat([decipher.update(buf.subarray(0, buf.length - 16)), decipher.final()]).toString('utf8')
}

export function aeadEncrypt(
  plaintext: string,
  apiV3Key: string,
  nonceText: string,
  associatedData: string,
): string {
  const cipher = crypto.createCipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(nonceText, 'utf8'),
  )
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64')
}
