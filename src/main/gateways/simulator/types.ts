import type http from 'node:http'
import type { FaultName, SimKeys, SimMerchant, SimState } from './state'

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
  /**
   * A body sent as it is produced, in place of `body` (a day's bill): chunked, each chunk written
   * when the client has taken the last, so a million-line bill never sits in memory.
   */
  stream?: () => AsyncIterable<Buffer> | Iterable<Buffer>
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

/** How the simulator makes a merchant of one channel, and the profile that points a client at it. */
export interface SimMerchantKind {
  /** Fresh identifiers: app ids, merchant numbers, certificate serials, sign secrets. */
  ids(): Record<string, string>
  /** Keys beyond the merchant's and the gateway's pairs (WeChat's platform certificate); `given` wins. */
  moreKeys?(ids: Record<string, string>, given: Partial<SimKeys> | undefined): Promise<Partial<SimKeys>>
  /** The profile `merchant add --config` reads, as docs/cli.md section 2 lists its fields. */
  profile(m: SimMerchant, baseUrl: string): Record<string, unknown>
}
