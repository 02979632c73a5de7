import { alipayHandler } from './alipay'
import type { HandlerFactory } from './types'

/** Every protocol the simulator speaks. */
export const CHANNEL_HANDLERS: HandlerFactory[] = [alipayHandler]
