import crypto from 'node:crypto'
import type { WechatProfile } from '../../../shared/profiles'
import type { Exchange } from '../http'
import { readPemPublicKey } from '../key-fields'
import { aeadDecrypt, PROBE_PREFIX, responseMessage, rsaVerify } from './sign'

// The keys that verify WeChat Pay's answers, by the name an answer gives in Wechatpay-Serial: the
// profile's own (a PUB_KEY_ID public key, platform certificates pasted in) and the platform
// certificates downloaded from /v3/certificates, decrypted with the APIv3 key.

const CERT_RETRY_MS = 60_000

export class PlatformKeys {
  private readonly keys = new Map<string, crypto.KeyObject>()
  /** Public-key mode: the key every request names, and every answer is then signed with. */
  readonly publicKeyId: string | null
  private readonly apiV3Key: string
  private triedAt = 0

  constructor(
    profile: WechatProfile,
    /** GET /v3/certificates, signed as any request. */
    private readonly download: () => Promise<Exchange>,
    private readonly now: () => number,
  ) {
    this.apiV3Key = profile.apiV3Key
    for (const [name, pem] of Object.entries(profile.platformPublicKeys))
      this.keys.set(name, readPemPublicKey(pem))
    this.publicKeyId =
      Object.keys(profile.platformPublicKeys).find((k) => k.startsWith('PUB_KEY_ID_')) ?? null
  }

  /**
   * The key an answer names. A certificate serial we do not know (a new or rotated certificate) is
   * looked for in a fresh download first; a public key id never is, since none can be downloaded.
   */
  async keyFor(serial: string): Promise<crypto.KeyObject | undefined> {
    if (!this.keys.has(serial) && !serial.startsWith('PUB_KEY_ID_')) await this.refresh()
    return this.keys.get(serial)
  }

  /** Downloads the platform certificates, at most once a minute unless forced; how many were added. */
  async refresh(force = false): Promise<number> {
    const now = this.now()
    if (!force && now - this.triedAt < CERT_RETRY_MS) return 0
    this.triedAt = now
    const ex = await this.download()
    if (!ex.ok || ex.response.status !== 200) return 0
    let data: Array<{
      serial_no: string
      encrypt_certificate: { ciphertext: string; nonce: string; associated_data: string }
    }>
    try {
      data = (JSON.parse(ex.response.body) as { data: typeof data }).data
    } catch {
      return 0
    }
    // A download whose `data` is no list holds no certificate; iterating a number or an object here
    // threw out of the adapter, which must never throw for what a gateway sends (found by
    // tests/gateways/parsers-fuzz.test.ts).
    if (!Array.isArray(data)) return 0
    const found = new Map<string, crypto.KeyObject>()
    for (const c of data) {
      try {
        const pem = aeadDecrypt(
          c.encrypt_certificate.ciphertext,
          this.apiV3Key,
          c.encrypt_certificate.nonce,
          c.encrypt_certificate.associated_data,
        )
        found.set(c.serial_no, readPemPublicKey(pem))
      } catch {
        // A certificate that does not decrypt with our APIv3 key is not ours to trust.
      }
    }
    // The download itself must verify: with one of the certificates it carries (the bootstrap) or a key we already trust.
    const h = ex.response.headers
    const key = found.get(h['wechatpay-serial'] ?? '') ?? this.keys.get(h['wechatpay-serial'] ?? '')
    if (!key || !h['wechatpay-signature'] || h['wechatpay-signature'].startsWith(PROBE_PREFIX)) return 0
    if (
      !rsaVerify(
        responseMessage(h['wechatpay-timestamp'] ?? '', h['wechatpay-nonce'] ?? '', ex.response.body),
        h['wechatpay-signature'],
        key,
      )
    )
      return 0
    for (const [serial, k] of found) this.keys.set(serial, k)
    return found.size
  }
}
