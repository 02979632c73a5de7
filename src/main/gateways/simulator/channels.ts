import { alipayHandler } from './alipay'
import type { HandlerFactory } from './types'
import { daxpayHandler } from './daxpay'
import { unionpayHandler } from './unionpay'
import { wechatHandler } from './wechat'

/** Every protocol the simulator speaks. */
export const CHANNEL_HANDLERS: HandlerFactory[] = [
  alipayHandler,
  wechatHandler,
  unionpayHandler,
  daxpayHandler,
]
