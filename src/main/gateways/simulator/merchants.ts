import crypto from 'node:crypto'
import type { Channel, MerchantMode } from '../../../shared/domain'
import { GATEWAYS } from '../channels'
import { rsaPair } from './identities'
import type { SimKeys, SimMerchant } from './state'

export interface ScenarioMerchant {
  name: string
  channel: Channel
  mode?: MerchantMode
  keys?: Partial<SimKeys>
  ids?: Record<string, string>
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
  const kind = GATEWAYS[m.channel].simMerchant
  const ids: Record<string, string> = { ...kind.ids(), ...m.ids }
  if (kind.moreKeys) Object.assign(keys, await kind.moreKeys(ids, m.keys))
  return { name: m.name, channel: m.channel, mode: m.mode ?? 'direct', keys, ids }
}

/** The profile `merchant add --config` reads, as docs/cli.md section 2 lists its fields. */
export function merchantProfile(m: SimMerchant, baseUrl: string): Record<string, unknown> {
  return GATEWAYS[m.channel].simMerchant.profile(m, baseUrl)
}
