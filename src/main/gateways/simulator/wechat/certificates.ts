import crypto from 'node:crypto'
import { toRfc3339Beijing } from '../../../../shared/time'
import { aeadEncrypt } from '../../wechat/sign'
import type { SimMerchant } from '../state'
import type { SimOptions } from '../types'
import type { Reply, WechatRoute } from './replies'

// `/v3/certificates` of the simulated WeChat Pay: the merchant's platform certificate, encrypted with
// its APIv3 key (docs/protocols.md section 2); a merchant of the public-key mode has none.

/** The route of the certificate download. */
export function certificateRoutes(options: SimOptions): WechatRoute[] {
  function certificates(m: SimMerchant): Reply {
    if (!m.keys.platformCertificate)
      return {
        status: 404,
        body: { code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请使用微信支付公钥' },
      }
    const nonceText = crypto.randomBytes(6).toString('hex')
    const now = options.now()
    return {
      status: 200,
      body: {
        data: [
          {
            serial_no: m.ids.platformSerial,
            effective_time: toRfc3339Beijing(now - 86400_000),
            expire_time: toRfc3339Beijing(now + 5 * 365 * 86400_000),
            encrypt_certificate: {
              algorithm: 'AEAD_AES_256_GCM',
              associated_data: 'certificate',
              nonce: nonceText,
              ciphertext: aeadEncrypt(m.keys.platformCertificate, m.ids.apiV3Key!, nonceText, 'certificate'),
            },
          },
        ],
      },
    }
  }

  return [
    { method: 'GET', re: /^\/v3\/certificates$/, name: 'wechat.certificates', run: (m) => certificates(m) },
  ]
}
