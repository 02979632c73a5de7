import type { Channel } from './domain'

// What the screens and the CSV export call each channel: Chinese, English. Apart from the rest of the
// channel registry (./channels.ts) because that holds the profile schemas, and with them zod, which
// the window's first screen would otherwise load and build before it shows a row.
export const CHANNEL_LABELS = {
  alipay: ['支付宝', 'Alipay'],
  wechat: ['微信支付', 'WeChat Pay'],
  daxpay: ['DaxPay', 'DaxPay'],
  unionpay: ['银联', 'UnionPay'],
} as const satisfies Record<Channel, readonly [zh: string, en: string]>
