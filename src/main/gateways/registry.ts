import type { MerchantProfile } from '../../shared/profiles'
import { AlipayAdapter } from './alipay/adapter'
import { DEFAULT_RETRY, type RetryPolicy } from './http'
import type { GatewayAdapter } from './types'
import { DaxpayAdapter } from './daxpay/adapter'
import { UnionpayAdapter } from './unionpay/adapter'
import { WechatAdapter } from './wechat/adapter'

/** The adapter that speaks a profile's protocol. */
export function createAdapter(profile: MerchantProfile, policy: RetryPolicy = DEFAULT_RETRY): GatewayAdapter {
  switch (profile.channel) {
    case 'alipay':
      return new AlipayAdapter(profile, policy)
    case 'wechat':
      return new WechatAdapter(profile, policy)
    case 'unionpay':
      return new UnionpayAdapter(profile, policy)
    case 'daxpay':
      return new DaxpayAdapter(profile, policy)
  }
}
