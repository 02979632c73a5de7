import { CHANNELS } from '../../../shared/domain'
import { GATEWAYS } from '../channels'
import type { HandlerFactory } from './types'

/** Every protocol the simulator speaks, from the channel registry. */
export const CHANNEL_HANDLERS: HandlerFactory[] = CHANNELS.map((c) => GATEWAYS[c].simulator)
