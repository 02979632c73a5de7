import crypto from 'node:crypto'
import { promisify } from 'node:util'
import type { Channel, MerchantMode } from '../../../shared/domain'
import type { SimKeys, SimMerchant } from './state'
import { selfSignedCertificate } from './x509'

const generateKeyPair = promisify(crypto.generateKeyPair)

export interface ScenarioMerchant {
  name: string
  channel: Channel
  mode?: MerchantMode
  keys?: Partial<SimKeys>
  ids?: Record<string, string>
}

async function rsaPair(): Promise<{ privateKey: string; publicKey: string }> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  return { privateKey, publicKey }
}

function digits(n: number): string {
  let s = ''
  while (s.length < n) s += crypto.randomInt(0, 10)
  return s
}

/** Fresh 2048-bit keys and identifiers for each merchant, unless the scenario brings its own. */
export async function makeSimMerchant(m: ScenarioMerchant): Promise<SimMerchant> {
  const [merchant, gateway] = await Promise.all([
    m.keys?.merchantPrivateKey ? null : rsaPair(),
    m.keys?.gatewayPrivateKey ? null : rsaPair(),
  ])
  const keys: SimKeys = {
    merchantPrivateKey: m.keys?.merchantPrivateKey ?? merchant!.privateKey,
    merchantPublicKey:
      m.keys?.merchantPublicKey ??
      (merchant
        ? merchant.publicKey
        : crypto
            .createPublicKey(m.keys!.merchantPrivateKey!)
            .export({ type: 'spki', format: 'pem' })
            .toString()),
    gatewayPrivateKey: m.keys?.gatewayPrivateKey ?? gateway!.privateKey,
    gatewayPublicKey:
      m.keys?.gatewayPublicKey ??
      (gateway
        ? gateway.publicKey
        : crypto
            .createPublicKey(m.keys!.gatewayPrivateKey!)
            .export({ type: 'spki', format: 'pem' })
            .toString()),
  }
  const ids: Record<string, string> = { ...defaultIds(m.channel), ...m.ids }
  if (m.channel === 'wechat') {
    keys.platformPrivateKey = m.keys?.platformPrivateKey ?? (await rsaPair()).privateKey
    const now = Date.now()
    keys.platformCertificate =
      m.keys?.platformCertificate ??
      selfSignedCertificate({
        serialHex: ids.platformSerial!,
        commonName: 'Tenpay.com Root CA (PaySync simulator)',
        privateKeyPem: keys.platformPrivateKey,
        notBefore: new Date(now - 86400_000),
        notAfter: new Date(now + 5 * 365 * 86400_000),
      })
  }
  return { name: m.name, channel: m.channel, mode: m.mode ?? 'direct', keys, ids }
}

function defaultIds(channel: Channel): Record<string, string> {
  switch (channel) {
    case 'alipay':
      return { appId: `2021${digits(12)}` }
    case 'wechat':
      return {
        mchid: `16${digits(8)}`,
        subMchid: `19${digits(8)}`,
        appId: `wx${crypto.randomBytes(8).toString('hex')}`,
        merchantSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
        platformSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
        publicKeyId: `PUB_KEY_ID_01${digits(30)}`,
        apiV3Key: crypto.randomBytes(16).toString('hex'),
        payscoreServiceId: `2002${digits(28)}`,
      }
    case 'daxpay':
      return {
        mchNo: `M${digits(10)}`,
        appId: `A${digits(12)}`,
        signSecret: crypto.randomBytes(16).toString('hex'),
      }
    case 'unionpay':
      return { merId: `777${digits(12)}`, certId: digits(11) }
  }
}

/** The profile `merchant add --config` reads, as cli.md section 2 lists its fields. */
export function merchantProfile(m: SimMerchant, baseUrl: string): Record<string, unknown> {
  switch (m.channel) {
    case 'alipay':
      return {
        name: m.name,
        channel: 'alipay',
        endpoint: `${baseUrl}/gateway.do`,
        appId: m.ids.appId,
        appPrivateKey: m.keys.merchantPrivateKey,
        alipayPublicKey: m.keys.gatewayPublicKey,
      }
    case 'wechat':
      return {
        name: m.name,
        channel: 'wechat',
        mode: m.mode,
        endpoint: baseUrl,
        mchid: m.ids.mchid,
        ...(m.mode === 'partner' ? { subMchid: m.ids.subMchid } : {}),
        serialNo: m.ids.merchantSerial,
        privateKey: m.keys.merchantPrivateKey,
        apiV3Key: m.ids.apiV3Key,
        platformPublicKeys: wechatKeys(m),
        ...(m.ids.payscoreServiceId ? { payscoreServiceId: m.ids.payscoreServiceId } : {}),
        region: m.ids.region ?? 'domestic',
      }
    case 'daxpay':
      return {
        name: m.name,
        channel: 'daxpay',
        endpoint: baseUrl,
        version: m.ids.version ?? '3',
        mchNo: m.ids.mchNo,
        appId: m.ids.appId,
        signType: m.ids.signType ?? 'hmac_sha256',
        signSecret: m.ids.signSecret,
      }
    case 'unionpay':
      return {
        name: m.name,
        channel: 'unionpay',
        endpoint: `${baseUrl}/gateway/api/queryTrans.do`,
        merId: m.ids.merId,
        certId: m.ids.certId,
        privateKey: m.keys.merchantPrivateKey,
        unionpayPublicKey: m.keys.gatewayPublicKey,
      }
  }
}

/** The verification keys a WeChat profile starts with, by key mode. */
function wechatKeys(m: SimMerchant): Record<string, string> {
  const mode = m.ids.keyMode ?? 'publicKey'
  // Platform-certificate mode starts with none: the client downloads them from /v3/certificates.
  if (mode === 'certificate') return {}
  const keys: Record<string, string> = { [m.ids.publicKeyId!]: m.keys.gatewayPublicKey }
  if (mode === 'migrating') keys[m.ids.platformSerial!] = m.keys.platformCertificate!
  return keys
}
