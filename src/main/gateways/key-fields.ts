import crypto from 'node:crypto'
import type { MessageId } from '../../shared/messages'
import { toPem } from './alipay/sign'

// The keys a profile carries, and the readers an adapter reads them with. The same readers check a
// profile on save (services/profile-key-check.ts), so that a key the adapter could not use is refused
// with a sentence naming the field instead of OpenSSL's words ("DECODER routines::unsupported") at
// the first call: a check looser than the adapter's reading would let such a key through again.

export type KeyReader = (text: string) => crypto.KeyObject

/** A whole PEM block, or its bare base64 body, which toPem wraps (Alipay and UnionPay). */
export const readPrivateKey: KeyReader = (text) => crypto.createPrivateKey(toPem(text, 'PRIVATE KEY'))
export const readPublicKey: KeyReader = (text) => crypto.createPublicKey(toPem(text, 'PUBLIC KEY'))

/** Whole PEM blocks only (WeChat Pay); a platform key may be a platform certificate. */
export const readPemPrivateKey: KeyReader = (text) => crypto.createPrivateKey(text)
export const readPemPublicKey: KeyReader = (text) =>
  text.includes('BEGIN CERTIFICATE')
    ? new crypto.X509Certificate(text).publicKey
    : crypto.createPublicKey(text)

/** One key of a profile, as its channel's adapter will read it. */
export interface KeyField {
  /** The profile field, as the form names it. */
  field: string
  /** The sentence that names the field when its key cannot be used. */
  id: MessageId
  kind: 'private' | 'public'
  text: string
  read: KeyReader
  /** Which of several keys in one field (WeChat's platform keys, by serial). */
  serial?: string
}
