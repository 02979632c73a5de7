import crypto from 'node:crypto'
import { AppError } from '../../shared/errors'
import type { MessageId } from '../../shared/messages'
import type { MerchantProfile } from '../../shared/profiles'
import { toPem } from '../gateways/alipay/sign'

// The keys a profile carries, read the way its channel's adapter reads them in its constructor, so
// that a key the adapter could not use is refused on save with a sentence naming the field, instead
// of OpenSSL's words ("DECODER routines::unsupported") at the first call. A reading here that is
// looser than the adapter's would let such a key through again: change them together.

type Reader = (text: string) => crypto.KeyObject

/** Alipay and UnionPay: a whole PEM block, or its bare base64 body, which toPem wraps. */
const bodyOrPemPrivate: Reader = (text) => crypto.createPrivateKey(toPem(text, 'PRIVATE KEY'))
const bodyOrPemPublic: Reader = (text) => crypto.createPublicKey(toPem(text, 'PUBLIC KEY'))
/** WeChat Pay: whole PEM blocks only; a platform key may be a platform certificate. */
const pemPrivate: Reader = (text) => crypto.createPrivateKey(text)
const pemPublic: Reader = (text) =>
  text.includes('BEGIN CERTIFICATE')
    ? new crypto.X509Certificate(text).publicKey
    : crypto.createPublicKey(text)

interface KeyField {
  /** The profile field, as the form names it. */
  field: string
  id: MessageId
  kind: 'private' | 'public'
  text: string
  read: Reader
  serial?: string
}

function keyFieldsOf(p: MerchantProfile): KeyField[] {
  switch (p.channel) {
    case 'alipay':
      return [
        {
          field: 'appPrivateKey',
          id: 'merchant.key.appPrivateKey',
          kind: 'private',
          text: p.appPrivateKey,
          read: bodyOrPemPrivate,
        },
        {
          field: 'alipayPublicKey',
          id: 'merchant.key.alipayPublicKey',
          kind: 'public',
          text: p.alipayPublicKey,
          read: bodyOrPemPublic,
        },
      ]
    case 'unionpay':
      return [
        {
          field: 'privateKey',
          id: 'merchant.key.privateKey',
          kind: 'private',
          text: p.privateKey,
          read: bodyOrPemPrivate,
        },
        {
          field: 'unionpayPublicKey',
          id: 'merchant.key.unionpayPublicKey',
          kind: 'public',
          text: p.unionpayPublicKey,
          read: bodyOrPemPublic,
        },
      ]
    case 'wechat':
      return [
        {
          field: 'privateKey',
          id: 'merchant.key.privateKey',
          kind: 'private',
          text: p.privateKey,
          read: pemPrivate,
        },
        ...Object.entries(p.platformPublicKeys).map(([serial, text]): KeyField => ({
          field: 'platformPublicKeys',
          id: 'merchant.key.platformPublicKeys',
          kind: 'public',
          text,
          read: pemPublic,
          serial,
        })),
      ]
    case 'daxpay':
      return []
  }
}

function usable(f: KeyField): boolean {
  // OpenSSL derives a public key from a private one without complaint; in a public-key field it can
  // never verify the gateway's answers, and public settings are stored and shown in the clear.
  if (f.kind === 'public' && /PRIVATE KEY/.test(f.text)) return false
  try {
    const key = f.read(f.text)
    // Every channel here signs and verifies RSA-SHA256: an EC or DSA key would parse, then fail at
    // the gateway with a signature error that names no field.
    return key.asymmetricKeyType === 'rsa' && key.type === f.kind
  } catch {
    return false
  }
}

/** The first key of the profile its adapter could not use, as the error that names it; null when all are usable. */
export function keyProblem(p: MerchantProfile): AppError | null {
  for (const f of keyFieldsOf(p)) {
    if (!usable(f))
      return AppError.say('invalid_input', f.id, {
        field: f.field,
        ...(f.serial !== undefined ? { serial: f.serial } : {}),
      })
  }
  return null
}

export function checkProfileKeys(p: MerchantProfile): void {
  const problem = keyProblem(p)
  if (problem) throw problem
}
