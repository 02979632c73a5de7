import crypto from 'node:crypto'
import { digits, rsaPair } from './identities'
import type { SimMerchant } from './state'
import type { SimMerchantKind } from './types'
import { selfSignedCertificate } from './x509'

// Each channel's simulated merchant: the identifiers it is made with and the profile that points a
// client at the simulator (the channel registry, gateways/channels.ts, names which is whose).

export const alipaySimMerchant: SimMerchantKind = {
  // The PID (2088…) names the merchant in its bills (`#账号：[…]`, the zip's name).
  ids: () => ({ appId: `2021${digits(12)}`, pid: `2088${digits(12)}` }),
  profile: (m, baseUrl) => ({
    name: m.name,
    channel: 'alipay',
    endpoint: `${baseUrl}/gateway.do`,
    appId: m.ids.appId,
    appPrivateKey: m.keys.merchantPrivateKey,
    alipayPublicKey: m.keys.gatewayPublicKey,
  }),
}

export const wechatSimMerchant: SimMerchantKind = {
  ids: () => ({
    mchid: `16${digits(8)}`,
    subMchid: `19${digits(8)}`,
    appId: `wx${crypto.randomBytes(8).toString('hex')}`,
    merchantSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
    platformSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
    publicKeyId: `PUB_KEY_ID_01${digits(30)}`,
    apiV3Key: crypto.randomBytes(16).toString('hex'),
    payscoreServiceId: `2002${digits(28)}`,
  }),
  /** The platform-certificate key mode's second gateway key, and its certificate. */
  async moreKeys(ids, given) {
    const platformPrivateKey = given?.platformPrivateKey ?? (await rsaPair()).privateKey
    const now = Date.now()
    const platformCertificate =
      given?.platformCertificate ??
      selfSignedCertificate({
        serialHex: ids.platformSerial!,
        commonName: 'Tenpay.com Root CA (PaySync simulator)',
        privateKeyPem: platformPrivateKey,
        notBefore: new Date(now - 86400_000),
        notAfter: new Date(now + 5 * 365 * 86400_000),
      })
    return { platformPrivateKey, platformCertificate }
  },
  profile: (m, baseUrl) => ({
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
  }),
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

export const daxpaySimMerchant: SimMerchantKind = {
  ids: () => ({
    mchNo: `M${digits(10)}`,
    appId: `A${digits(12)}`,
    signSecret: crypto.randomBytes(16).toString('hex'),
  }),
  profile: (m, baseUrl) => ({
    name: m.name,
    channel: 'daxpay',
    endpoint: baseUrl,
    version: m.ids.version ?? '3',
    mchNo: m.ids.mchNo,
    appId: m.ids.appId,
    signType: m.ids.signType ?? 'hmac_sha256',
    signSecret: m.ids.signSecret,
  }),
}

export const unionpaySimMerchant: SimMerchantKind = {
  ids: () => ({ merId: `777${digits(12)}`, certId: digits(11) }),
  profile: (m, baseUrl) => ({
    name: m.name,
    channel: 'unionpay',
    endpoint: `${baseUrl}/gateway/api/queryTrans.do`,
    merId: m.ids.merId,
    certId: m.ids.certId,
    privateKey: m.keys.merchantPrivateKey,
    unionpayPublicKey: m.keys.gatewayPublicKey,
  }),
}
