import type { Channel } from '../../shared/domain'
import type { ProfileOf } from '../../shared/profiles'
import type { StatementChannel } from '../../shared/statements'
import { AlipayAdapter, alipayKeyFields } from './alipay/adapter'
import { DaxpayAdapter } from './daxpay/adapter'
import type { RetryPolicy } from './http'
import type { KeyField } from './key-fields'
import { alipayHandler } from './simulator/alipay/handler'
import { daxpayHandler } from './simulator/daxpay/handler'
import {
  ALIPAY_DEMO,
  DAXPAY_DEMO,
  UNIONPAY_DEMO,
  WECHAT_DEMO,
  type ChannelDemo,
} from './simulator/demo-world'
import {
  alipaySimMerchant,
  daxpaySimMerchant,
  unionpaySimMerchant,
  wechatSimMerchant,
} from './simulator/merchant-kinds'
import type { HandlerFactory, SimMerchantKind } from './simulator/types'
import { unionpayHandler } from './simulator/unionpay'
import { wechatHandler } from './simulator/wechat/handler'
import type { GatewayAdapter } from './types'
import { UnionpayAdapter, unionpayKeyFields } from './unionpay/adapter'
import { WechatAdapter, wechatKeyFields } from './wechat/adapter'

// The channel registry, the main process's half: how to speak each channel's protocol and how the
// simulator plays its gateway. What every layer knows of a channel (labels, profile, ids) is the
// other half, shared/channels.ts. A channel added to CHANNELS is a compile error here until it has
// its entry (docs/adding-a-gateway.md).

/**
 * A channel with a daily bill (STATEMENT_CHANNELS) downloads it, one without has no download: either
 * way round, a mismatch is a compile error in the entry below (docs/reconcile.md A1).
 */
type AdapterOf<C extends Channel> = C extends StatementChannel
  ? GatewayAdapter & Required<Pick<GatewayAdapter, 'downloadStatement'>>
  : GatewayAdapter & { downloadStatement?: never }

export interface GatewayModule<C extends Channel> {
  /** The adapter that speaks the channel's protocol for one merchant profile. */
  adapter(profile: ProfileOf<C>, policy: RetryPolicy): AdapterOf<C>
  /** The keys a profile carries, read as the adapter reads them (services/profile-key-check.ts). */
  keyFields(profile: ProfileOf<C>): KeyField[]
  /** The simulator's handler for the protocol. */
  simulator: HandlerFactory
  /** How the simulator makes a merchant of the channel, and the profile that points at it. */
  simMerchant: SimMerchantKind
  /** How the simulated gateway's trade numbers begin (Alipay's 2200…, WeChat's 4200…). */
  tradeNoTag: string
  /** How long they are: 28 characters, UnionPay's queryId 21 (its bill's column is that wide). */
  tradeNoLength: number
  /** The simulated gateway's order states in which the buyer has paid: they carry a payment time. */
  paidStates: readonly string[]
  /** The sandbox's merchants and drifted orders of the channel. */
  demo: ChannelDemo
}

/**
 * A channel without its entry is a compile error here and nowhere else in main: every reader takes
 * the entries there are.
 */
export const GATEWAYS: { readonly [C in Channel]: GatewayModule<C> } = {
  alipay: {
    adapter: (p, policy) => new AlipayAdapter(p, policy),
    keyFields: alipayKeyFields,
    simulator: alipayHandler,
    simMerchant: alipaySimMerchant,
    tradeNoTag: '22001',
    tradeNoLength: 28,
    paidStates: ['TRADE_SUCCESS', 'TRADE_FINISHED'],
    demo: ALIPAY_DEMO,
  },
  wechat: {
    adapter: (p, policy) => new WechatAdapter(p, policy),
    keyFields: wechatKeyFields,
    simulator: wechatHandler,
    simMerchant: wechatSimMerchant,
    tradeNoTag: '42000',
    tradeNoLength: 28,
    // REFUND was paid before it was refunded; DONE is a payscore order's.
    paidStates: ['SUCCESS', 'REFUND', 'DONE'],
    demo: WECHAT_DEMO,
  },
  daxpay: {
    adapter: (p, policy) => new DaxpayAdapter(p, policy),
    // A shared sign secret: nothing to read as a key.
    keyFields: () => [],
    simulator: daxpayHandler,
    simMerchant: daxpaySimMerchant,
    tradeNoTag: 'D',
    tradeNoLength: 28,
    paidStates: ['success'],
    demo: DAXPAY_DEMO,
  },
  unionpay: {
    adapter: (p, policy) => new UnionpayAdapter(p, policy),
    keyFields: unionpayKeyFields,
    simulator: unionpayHandler,
    simMerchant: unionpaySimMerchant,
    tradeNoTag: '6',
    tradeNoLength: 21,
    paidStates: ['00'],
    demo: UNIONPAY_DEMO,
  },
}

/**
 * The module of a channel, to be given profiles of that channel. The compiler cannot follow that the
 * entry a profile's own channel picks takes that very profile, hence the cast; GATEWAYS's own type
 * holds each entry to its channel's profile.
 */
export function gatewayOf(channel: Channel): GatewayModule<Channel> {
  return GATEWAYS[channel] as GatewayModule<Channel>
}
