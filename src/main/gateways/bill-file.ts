import crypto from 'node:crypto'
import { constants as fsc, promises as fsp } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import { backoffDelay, type HttpRequest, type RetryPolicy } from './http'
import { busyStatus } from './kit'
import { setTimeout as sleep } from 'node:timers/promises'
import { CallAbandonedError, type CallContext } from './types'

// A daily bill on its way to disk (docs/reconcile.md A4: the raw bytes saved, then parsed). Bills are
// large (a busy merchant's day is hundreds of megabytes), so unlike a gateway answer (http.ts, read
// whole into memory under a 256 KB cap) a bill is streamed: chunk by chunk into a private file beside
// the destination, hashed as it passes, under a cap of its own, and renamed into place only once
// whole. A failure at any point leaves nothing behind: the caller finds the complete file or none.

/** The most of one bill written: far above a real day (WeChat's 1,000,000 lines are about 300 MB). */
export const MAX_BILL_BYTES = 2 * 1024 * 1024 * 1024

/** The most of an error answer read instead of a bill (a JSON or HTML page saying why). */
const MAX_ERROR_BYTES = 64 * 1024

export interface WrittenBill {
  bytes: number
  sha256: string
}

/** A bill past its cap: the writing stopped there and the partial file is gone. */
export class BillTooLargeError extends Error {
  readonly code = 'too_large'
  constructor(readonly maxBytes: number) {
    super(
      `the bill is larger than ${Math.round(maxBytes / 1024 / 1024)} MB (${maxBytes} bytes): nothing of it was kept`,
    )
    this.name = 'BillTooLargeError'
  }
}

/**
 * Writes `chunks` to `dest` through a new 0600 file beside it (`O_EXCL | O_NOFOLLOW`: never through a
 * link someone left there), synced, then renamed over `dest`. Throws after removing the partial file.
 */
export async function writeBillFile(
  dest: string,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxBytes = MAX_BILL_BYTES,
): Promise<WrittenBill> {
  const temp = path.join(
    path.dirname(dest),
    `.${path.basename(dest)}.${crypto.randomBytes(6).toString('hex')}.part`,
  )
  const handle = await fsp.open(temp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0), 0o600)
  const hash = crypto.createHash('sha256')
  let bytes = 0
  let done = false
  try {
    for await (const chunk of chunks) {
      bytes += chunk.length
      if (bytes > maxBytes) throw new BillTooLargeError(maxBytes)
      hash.update(chunk)
      await handle.write(chunk)
    }
    await handle.sync()
    await handle.close()
    done = true
    await fsp.rename(temp, dest)
    return { bytes, sha256: hash.digest('hex') }
  } catch (err) {
    if (!done) await handle.close().catch(() => undefined)
    await fsp.rm(temp, { force: true })
    throw err
  }
}

/** How a bill download went: the file written, or why not (with the error answer, when one came). */
export type BillFetch =
  | ({ ok: true; attempts: number } & WrittenBill)
  | {
      ok: false
      code: string
      message: string
      /** The HTTP status of an answer that was not the bill; null when none came. */
      status: number | null
      /** That answer's text (at most 64 KB), for the caller to read the gateway's error from. */
      body: string | null
      retryable: boolean
      attempts: number
    }

type Failed = Extract<BillFetch, { ok: false }>

function transportFailure(err: unknown): Omit<Failed, 'attempts'> {
  const none = { ok: false as const, status: null, body: null }
  if (err instanceof BillTooLargeError)
    return { ...none, code: 'too_large', message: err.message, retryable: false }
  const e = err as { code?: string; message?: string }
  if (e.code === 'ETIMEDOUT' || e.code === 'ABORT_ERR')
    return {
      ...none,
      code: 'timeout',
      message: 'the download stalled: no bytes came in time',
      retryable: true,
    }
  if (e.code === 'ECONNREFUSED')
    return { ...none, code: 'refused', message: 'the gateway refused the connection', retryable: true }
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up|aborted/i.test(e.message ?? ''))
    return {
      ...none,
      code: 'reset',
      message: 'the gateway closed the connection before the bill was whole',
      retryable: true,
    }
  if (typeof e.code === 'string' && /^E(ACCES|NOSPC|EXIST|LOOP|NOENT|ROFS|DQUOT|ISDIR|NOTDIR)$/.test(e.code))
    return {
      ...none,
      code: 'write_failed',
      message: `the bill could not be written: ${e.message ?? e.code}`,
      retryable: false,
    }
  return { ...none, code: 'network', message: e.message ?? String(err), retryable: true }
}

/** Plain http only to loopback (the simulator), as for every gateway endpoint (shared/profile-schemas.ts). */
export function allowedBillUrl(text: string): URL | null {
  try {
    const u = new URL(text)
    if (u.protocol === 'https:') return u
    if (u.protocol === 'http:' && /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(u.hostname)) return u
    return null
  } catch {
    return null
  }
}

interface Sent {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
}

/** One request, the answer's head; the socket times out after `idleMs` without a byte either way. */
function send(req: HttpRequest, idleMs: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url)
    const lib = url.protocol === 'https:' ? https : http
    const r = lib.request(url, {
      method: req.method,
      headers: { 'Accept-Encoding': 'identity', ...req.headers },
      agent: false,
    })
    r.setTimeout(idleMs, () => r.destroy(Object.assign(new Error('idle timeout'), { code: 'ETIMEDOUT' })))
    // Kept for the whole exchange: a stall while the body streams errors the request again, and the
    // reader of the body sees it as the end of its stream.
    r.on('error', reject)
    r.once('response', (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }))
    r.end(req.body)
  })
}

async function readSmall(body: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    parts.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size >= MAX_ERROR_BYTES) break
  }
  body.destroy()
  return Buffer.concat(parts).subarray(0, MAX_ERROR_BYTES).toString('utf8')
}

export interface BillFetchOptions {
  policy: RetryPolicy
  /** The merchant's QPS gate and call slots, when the download goes to the API host itself (WeChat). */
  ctx?: CallContext
  maxBytes?: number
}

/**
 * GETs a bill into `dest` (see writeBillFile), retrying what may work when tried again: a transport
 * failure, 429 and 5xx (`build` signs afresh each time). A status other than 200 is no bill: its text
 * comes back for the caller to read the gateway's words from. The policy's timeout is how long the
 * transfer may stall, not how long it may take: a large bill takes minutes.
 */
export async function fetchBill(
  build: () => HttpRequest | Promise<HttpRequest>,
  dest: string,
  options: BillFetchOptions,
): Promise<BillFetch> {
  const { policy, ctx } = options
  const maxBytes = options.maxBytes ?? MAX_BILL_BYTES
  let last: Omit<Failed, 'attempts'> = {
    ok: false,
    code: 'retries_exhausted',
    message: 'the gateway kept failing',
    status: null,
    body: null,
    retryable: true,
  }
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(policy, attempt - 1))
    const req = await build()
    const release = ctx?.slots ? await ctx.slots.acquire() : null
    try {
      if (ctx?.gate) await ctx.gate.take()
      if (ctx?.stop) {
        if (ctx.stop()) throw new CallAbandonedError()
        ctx.stop = undefined
      }
      const res = await send(req, policy.timeoutMs)
      if (res.status !== 200) {
        const body = await readSmall(res.body)
        last = {
          ok: false,
          code: `HTTP_${res.status}`,
          message: `the gateway answered HTTP ${res.status} instead of the bill`,
          status: res.status,
          body,
          retryable: busyStatus(res.status),
        }
      } else {
        const written = await writeBillFile(dest, res.body, maxBytes).finally(() => res.body.destroy())
        return { ok: true, attempts: attempt, ...written }
      }
    } catch (err) {
      if (err instanceof CallAbandonedError) throw err
      last = transportFailure(err)
    } finally {
      release?.()
    }
    if (!last.retryable) return { ...last, attempts: attempt }
  }
  return { ...last, attempts: policy.retries + 1 }
}
