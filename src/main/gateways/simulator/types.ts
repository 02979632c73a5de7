import type http from 'node:http'
import type { FaultName, SimState } from './state'

export interface SimRequest {
  method: string
  /** The raw request target, exactly as sent (path and query): WeChat signs over it. */
  target: string
  url: URL
  headers: http.IncomingHttpHeaders
  /** The raw body text, exactly as sent. */
  body: string
  /** A fault drawn for this request that the channel renders its own way. */
  fault: FaultName | null
}

export interface SimResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface SimOptions {
  /** How far a request timestamp may be from the simulator's clock, in seconds. */
  timestampToleranceSec: number
  now: () => number
}

/** One gateway protocol served by the simulator. */
export interface ChannelHandler {
  readonly name: string
  matches(req: SimRequest): boolean
  /** Stats key of the request, e.g. `alipay.trade.query`. */
  endpoint(req: SimRequest): string
  /** The faults this protocol can show; others are not drawn for its requests. */
  readonly faults: readonly FaultName[]
  handle(req: SimRequest): Promise<SimResponse> | SimResponse
  /** The gateway's own "too many requests" answer. */
  rateLimited(req: SimRequest): SimResponse
}

export type HandlerFactory = (state: SimState, options: SimOptions) => ChannelHandler
