import type { MerchantProfile } from '../../shared/profiles'
import { gatewayOf } from './channels'
import { DEFAULT_RETRY, type RetryPolicy } from './http'
import type { GatewayAdapter } from './types'

/** The adapter that speaks a profile's protocol (the channel registry, ./channels.ts). */
export function createAdapter(profile: MerchantProfile, policy: RetryPolicy = DEFAULT_RETRY): GatewayAdapter {
  return gatewayOf(profile.channel).adapter(profile, policy)
}
