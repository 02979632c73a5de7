import type { AxiosPromise, AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios'
import http from 'node:http'
import https from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'
import { CallAbandonedError, type CallContext } from './types'

// One HTTP exchange with a gateway: a request timeout, a size cap, and retries with backoff for what
// may succeed when tried again (transport failures, 429, 5xx, and the business codes an adapter names).
// The body is kept as the exact text received, because signatures are checked over those bytes.

export interface RetryPolicy {
  timeoutMs: number
  /** Further tries after the first, for retryable failures only. */
  retries: number
  backoffMs: number
  maxBackoffMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 300,
  maxBackoffMs: 5_000,
}

/**
 * The most of an answer read before giving up on it (docs/domain.md 6.4). Real answers are a few KB;
 * a broken or hostile gateway, or a captive portal, could send gigabytes, and several of those at
 * once in a batch would exhaust memory. The daily bills are downloaded by other code paths with their
 * own, larger limit (`HttpRequest.maxBytes`).
 */
export const MAX_ANSWER_BYTES = 256 * 1024

/** What we send is small and ours: a request body beyond this is a programming error. */
const MAX_REQUEST_BYTES = 1024 * 1024

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  body?: string
  /** The cap on this answer's size in bytes; MAX_ANSWER_BYTES when not given. */
  maxBytes?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export type Exchange =
  | { ok: true; response: HttpResponse; attempts: number; latencyMs: number; serverTime: number | null }
  | {
      ok: false
      failure: TransportFailure
      attempts: number
      /** Null when no answer came back: a refused connection or a timeout has no round trip. */
      latencyMs: number | null
      lastResponse: HttpResponse | null
    }

export interface TransportFailure {
  code: 'timeout' | 'reset' | 'refused' | 'network' | 'retries_exhausted' | 'too_large'
  message: string
}

const agents = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
}

/**
 * The request's part of axios's configuration; everything else is `Client.base`, made once. The
 * configuration is read by axios's own HTTP adapter, called directly: `axios.request` would merge
 * this with the instance's defaults on every call, run the interceptor chain and the request and
 * answer transforms, none of which this client uses (about a tenth of a millisecond of CPU a call,
 * measured beside the adapter alone: README, Performance).
 */
type RequestConfig = Pick<
  AxiosRequestConfig,
  'method' | 'url' | 'headers' | 'data' | 'maxContentLength' | 'timeout' | 'signal'
>

interface Client {
  adapter: (config: InternalAxiosRequestConfig) => AxiosPromise<Buffer>
  base: Readonly<Omit<AxiosRequestConfig, keyof RequestConfig>>
}

/**
 * What `axios.request` added to every request from its defaults; said here so that the requests
 * are what they were before the adapter was called directly.
 */
const DEFAULT_ACCEPT = 'application/json, text/plain, */*'

let shared: Promise<Client> | null = null
/** Loaded on the first call: a command that never asks a gateway (a list, `--help`) does not load axios. */
function client(): Promise<Client> {
  shared ??= import('axios').then(({ default: axios }) => ({
    adapter: axios.getAdapter('http') as Client['adapter'],
    base: Object.freeze({
      ...agents,
      // The body as text, untouched: signatures are checked over exactly what arrived. No compression is
      // asked for (Accept-Encoding: identity), which also spares axios its decompression pipeline: per
      // request it costs more CPU than the RSA check (measured by npm run bench).
      // The bytes, decoded here: with responseType 'text' axios strips a leading byte-order mark, and
      // the record must keep the text exactly as received (docs/domain.md 6.1; the gateway fuzzer sent one).
      responseType: 'arraybuffer',
      decompress: false,
      maxBodyLength: MAX_REQUEST_BYTES,
      // The adapters read every status themselves; a redirect from a payment gateway is never followed.
      validateStatus: () => true,
      maxRedirects: 0,
      transitional: { silentJSONParsing: false, forcedJSONParsing: false, clarifyTimeoutError: true },
      proxy: false,
    }),
  }))
  return shared
}

/** One request on the shared keep-alive agents: the prebuilt base and this request's own fields. */
function send(c: Client, req: HttpRequest, maxBytes: number, timeoutMs: number) {
  const config: RequestConfig = {
    method: req.method,
    url: req.url,
    headers: { Accept: DEFAULT_ACCEPT, 'Accept-Encoding': 'identity', ...req.headers },
    data: req.body,
    // Counted while the body streams in: past the cap axios destroys the response stream, and with
    // it the socket, so the rest is never read (the request sets its own cap, see HttpRequest).
    maxContentLength: maxBytes,
    timeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs + 1_000),
  }
  return c.adapter({ ...c.base, ...config } as InternalAxiosRequestConfig)
}

function transportFailure(err: unknown, maxBytes: number): TransportFailure {
  const e = err as { code?: string; message?: string }
  const code = e.code ?? ''
  // axios says ERR_BAD_RESPONSE for this as for a broken stream; only its message tells them apart.
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(e.message ?? ''))
    return {
      code: 'too_large',
      message: `the answer is larger than ${Math.round(maxBytes / 1024)} KB (${maxBytes} bytes): reading stopped there and nothing of it was kept`,
    }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED')
    return { code: 'timeout', message: 'the gateway did not answer in time' }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_BAD_RESPONSE' ||
    /socket hang up/i.test(e.message ?? '')
  )
    return { code: 'reset', message: 'the gateway closed the connection without an answer' }
  if (code === 'ECONNREFUSED') return { code: 'refused', message: 'the gateway refused the connection' }
  // The code already says "network"; the message says what went wrong (DNS, TLS, a proxy...).
  return { code: 'network', message: e.message ?? String(err) }
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1))
  return Math.round(base * (0.5 + Math.random() * 0.5))
}

/**
 * Sends the request (rebuilt by `build` for every try, so signatures and timestamps are fresh) and
 * retries while `retryable` says so.
 */
export async function exchange(
  build: () => HttpRequest | Promise<HttpRequest>,
  policy: RetryPolicy,
  ctx: CallContext | undefined,
  retryable: (res: HttpResponse) => boolean,
): Promise<Exchange> {
  // Latency is the last request's own round trip: the time spent waiting for a call slot or the QPS
  // gate is ours, not the gateway's, and would also skew the clock estimate made from it.
  let latencyMs: number | null = null
  let lastResponse: HttpResponse | null = null
  let lastFailure: TransportFailure | null = null
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(policy, attempt - 1))
    // Built (and signed) first; then a call slot; then its turn at the gate, and out at once: sends
    // stay evenly spaced, and no more than the slots are ever in flight at the gateway.
    const req = await build()
    const gateway = await client()
    const maxBytes = req.maxBytes ?? MAX_ANSWER_BYTES
    const queued = performance.now()
    const release = ctx?.slots ? await ctx.slots.acquire() : null
    let sentAt = 0
    try {
      if (ctx?.gate) await ctx.gate.take()
      if (ctx?.waited) ctx.waited.ms += performance.now() - queued
      if (ctx?.stop) {
        if (ctx.stop()) throw new CallAbandonedError()
        ctx.stop = undefined
      }

      sentAt = performance.now()
      const res = await send(gateway, req, maxBytes, policy.timeoutMs)
      latencyMs = Math.round(performance.now() - sentAt)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined && v !== null)
          headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
      }
      const body = Buffer.isBuffer(res.data) ? res.data.toString('utf8') : String(res.data ?? '')
      lastResponse = { status: res.status, headers, body }
      lastFailure = null
      if (retryable(lastResponse) && attempt <= policy.retries) continue
      const date = headers['date'] ? Date.parse(headers['date']) : NaN
      return {
        ok: true,
        response: lastResponse,
        attempts: attempt,
        latencyMs,
        serverTime: Number.isNaN(date) ? null : date,
      }
    } catch (err) {
      if (err instanceof CallAbandonedError) throw err
      lastFailure = transportFailure(err, maxBytes)
      lastResponse = null
      // The same gateway would send the same oversized answer again: asking again only costs more.
      if (lastFailure.code === 'too_large')
        return {
          ok: false,
          failure: lastFailure,
          attempts: attempt,
          latencyMs: Math.round(performance.now() - sentAt),
          lastResponse: null,
        }
    } finally {
      release?.()
    }
  }

  return {
    ok: false,
    failure: lastFailure ?? { code: 'retries_exhausted', message: 'the gateway kept failing' },
    attempts: policy.retries + 1,
    latencyMs,
    lastResponse,
  }
}

/**
 * This computer's clock minus the gateway's (positive: ours is ahead), from a time the gateway wrote
 * in whole seconds (the HTTP Date header, DaxPay's resTime). The gateway stamped it about half a round
 * trip ago, somewhere within that second, so the estimate is good to about half a second either way:
 * within a second of zero it is zero (otherwise a gateway on this very machine read +1 s now and
 * then), beyond that it is rounded to whole seconds.
 */
export function clockSkewMs(now: number, serverTime: number | null, latencyMs: number | null): number | null {
  if (serverTime === null) return null
  const estimate = now - (latencyMs ?? 0) / 2 - (serverTime + 500)
  if (Math.abs(estimate) < 1000) return 0
  return Math.round(estimate / 1000) * 1000
}
