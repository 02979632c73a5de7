import type { Channel } from './domain'

// What the screens, the CSV export and main's sentences call each channel and each field of its
// merchant profile: Chinese, English. Apart from the rest of the channel registry (./channels.ts)
// because that holds the profile schemas, and with them zod, which the window's first screen would
// otherwise load and build before it shows a row. ./channels.ts holds each entry's field labels to its
// own profile schema: a field without a label is a compile error there (docs/adding-a-gateway.md).

type Pair = readonly [zh: string, en: string]

/** The fields every channel's profile may have, named alike whatever the channel. */
export const COMMON_FIELD_LABELS = {
  name: ['配置名称', 'Profile name'],
  endpoint: ['网关地址', 'Endpoint'],
  qps: ['每秒请求上限', 'Requests per second'],
  statementScope: [
    '对账范围（订单号前缀，逗号分隔）',
    'Statement scope (order-number prefixes, comma-separated)',
  ],
  amountToleranceFen: ['对账金额容差（分）', 'Statement amount tolerance (fen)'],
  feeRate: ['手续费费率（如 0.60%）', 'Fee rate (e.g. 0.60%)'],
} as const satisfies Record<string, Pair>

export interface ChannelLabels {
  /** The channel's name. */
  name: Pair
  /** Each field of the channel's own profile, the common ones aside, as the form labels it. */
  fields: Readonly<Record<string, Pair>>
}

export const CHANNEL_LABELS = {
  alipay: {
    name: ['支付宝', 'Alipay'],
    fields: {
      appId: ['APPID', 'App id'],
      appPrivateKey: ['应用私钥', 'App private key'],
      alipayPublicKey: ['支付宝公钥', 'Alipay public key'],
      appAuthToken: ['应用授权令牌', 'App auth token'],
    },
  },
  wechat: {
    name: ['微信支付', 'WeChat Pay'],
    fields: {
      mode: ['接入模式', 'Mode'],
      mchid: ['商户号', 'Merchant id'],
      subMchid: ['子商户号', 'Sub-merchant id'],
      appId: ['APPID', 'App id'],
      serialNo: ['证书序列号', 'Certificate serial'],
      privateKey: ['商户私钥', 'Private key'],
      apiV3Key: ['APIv3 密钥', 'APIv3 key'],
      platformPublicKeys: ['平台公钥', 'Platform public keys'],
      payscoreServiceId: ['支付分服务 ID', 'Payscore service id'],
      region: ['地区', 'Region'],
    },
  },
  daxpay: {
    name: ['DaxPay', 'DaxPay'],
    fields: {
      version: ['DaxPay 版本', 'DaxPay version'],
      mchNo: ['商户号', 'Merchant no'],
      appId: ['APPID', 'App id'],
      signType: ['签名方式', 'Sign type'],
      signSecret: ['签名密钥', 'Sign secret'],
    },
  },
  unionpay: {
    name: ['银联', 'UnionPay'],
    fields: {
      merId: ['商户代码', 'Merchant id'],
      certId: ['证书 ID', 'Certificate id'],
      privateKey: ['商户私钥', 'Private key'],
      unionpayPublicKey: ['银联公钥', 'UnionPay public key'],
    },
  },
} as const satisfies Record<Channel, ChannelLabels>
