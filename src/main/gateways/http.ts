import http from 'node:http'
import https from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'
import { APP_VERSION } from '../../shared/version'
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
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
}

/**
 * Sent with every request unless the adapter says otherwise (WeChat Pay requires a User-Agent; the
 * others ignore it). No compression is asked for: signatures are checked over exactly the bytes that
 * arrived, and decompressing costs more CPU than the RSA check.
 */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/plain, */*',
  'accept-encoding': 'identity',
  'user-agent': `PaySyncDesk/${APP_VERSION} (Node.js)`,
}

/** What came back: the status, the headers as Node read them, the body's bytes. */
interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A failure of one request, named by the code `transportFailure` reads. */
class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * One request on the shared keep-alive agents, with Node's own client: axios's adapter, which this
 * replaces, cost about half a millisecond of CPU a call more for the same request (its streams,
 * headers object and abort wiring; README, "The cost of a sync"). Nothing is followed (a redirect
 * from a payment gateway is read as it is), nothing decoded, no proxy taken from the environment.
 * `timeoutMs` is the most the socket may stay silent, and a second more the most the whole request
 * may take, as before.
 */
function send(req: HttpRequest, maxBytes: number, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url)
    const agent = url.protocol === 'http:' || url.protocol === 'https:' ? agents[url.protocol] : null
    if (!agent) return reject(new SendError('EPROTO', `unsupported protocol ${url.protocol}`))
    const body = req.body === undefined ? null : Buffer.from(req.body, 'utf8')
    if (body && body.length > MAX_REQUEST_BYTES)
      return reject(new SendError('ERR_REQUEST_TOO_LARGE', 'the request body is larger than 1 MB'))
    const headers: Record<string, string> = { ...DEFAULT_HEADERS }
    // Header names are case-insensitive: an adapter's `Accept` replaces the default `accept`.
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
    if (body) headers['content-length'] = String(body.length)

    let settled = false
    const fail = (err: SendError) => {
      if (settled) return
      settled = true
      clearTimeout(whole)
      // The socket goes with the request: a half-read answer must not be the next call's start.
      request.destroy()
      reject(err)
    }
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        // Counted while the body streams in: past the cap the socket is destroyed, so the rest is
        // never read (the request sets its own cap, see HttpRequest).
        if (size > maxBytes) return fail(tooLarge(maxBytes))
        chunks.push(chunk)
      })
      res.on('error', () => fail(new SendError('ECONNRESET', 'the answer was cut off')))
      res.on('close', () => {
        if (!res.complete) fail(new SendError('ECONNRESET', 'the answer was cut off'))
      })
      res.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(whole)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) })
      })
    }
    const options = { method: req.method, headers, agent }
    const request =
      url.protocol === 'https:'
        ? https.request(url, options, onResponse)
        : http.request(url, options, onResponse)
    const whole = setTimeout(
      () => fail(new SendError('ETIMEDOUT', 'the request took too long')),
      timeoutMs + 1_000,
    )
    request.setTimeout(timeoutMs, () => fail(new SendError('ETIMEDOUT', 'the socket stayed silent')))
    request.on('error', (err: NodeJS.ErrnoException) => fail(new SendError(err.code ?? '', err.message)))
    request.end(body ?? undefined)
  })
}

function tooLarge(maxBytes: number): SendError {
  return new SendError(
    'ERR_TOO_LARGE',
    `the answer is larger than ${Math.round(maxBytes / 1024)} KB (${maxBytes} bytes): reading stopped there and nothing of it was kept`,
  )
}

function transportFailure(err: unknown): TransportFailure {
  const e = err as { code?: string; message?: string }
  const code = e.code ?? ''
  const message = e.message ?? String(err)
  if (code === 'ERR_TOO_LARGE') return { code: 'too_large', message }
  if (code === 'ETIMEDOUT') return { code: 'timeout', message: 'the gateway did not answer in time' }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message))
    return { code: 'reset', message: 'the gateway closed the connection without an answer' }
  if (code === 'ECONNREFUSED') return { code: 'refused', message: 'the gateway refused the connection' }
  // The code already says "network"; the message says what went wrong (DNS, TLS, a proxy...).
  return { code: 'network', message }
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
      const res = await send(req, maxBytes, policy.timeoutMs)
      latencyMs = Math.round(performance.now() - sentAt)
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
      }
      // Decoded here, a leading byte-order mark kept: the record keeps the text exactly as received
      // (docs/domain.md 6.1; the gateway fuzzer sent one).
      lastResponse = { status: res.status, headers, body: res.body.toString('utf8') }
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
      lastFailure = transportFailure(err)
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
