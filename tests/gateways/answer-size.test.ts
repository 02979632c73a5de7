import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exchange, MAX_ANSWER_BYTES, type RetryPolicy } from '../../src/main/gateways/http'

// The size cap on a gateway answer (docs/domain.md 6.4; issue 13, finding M4): the review's 300 MB
// answer raised the process to 3.8 GB and wrote a 300 MB sync record. Here a loopback server plays
// that gateway: an answer that never ends, or one just over the cap. Reading must stop at the cap,
// the socket must go (not back into the keep-alive pool), and the call must say `too_large` once,
// without asking again.

const POLICY: RetryPolicy = { timeoutMs: 10_000, retries: 2, backoffMs: 1, maxBackoffMs: 1 }
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

interface Served {
  /** Bytes handed to the socket before it closed. */
  written: number
  closed: Promise<void>
}

let server: http.Server
let url = ''
const served: Served[] = []
let requests = 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests += 1
    const path = req.url ?? '/'
    if (path.startsWith('/endless')) {
      // Streams for ever, as fast as the client reads: only the client can end it.
      const s: Served = { written: 0, closed: new Promise((r) => res.socket!.once('close', () => r())) }
      served.push(s)
      res.writeHead(200, { 'content-type': 'application/json' })
      const pump = () => {
        while (!res.destroyed) {
          s.written += CHUNK.length
          if (!res.write(CHUNK)) return void res.once('drain', pump)
        }
      }
      res.on('error', () => undefined)
      pump()
      return
    }
    const size = Number(new URL(path, 'http://x').searchParams.get('size'))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': size })
    res.end(Buffer.alloc(size, 0x62))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const get = (path: string, maxBytes?: number) =>
  exchange(
    () => ({ method: 'GET', url: `${url}${path}`, ...(maxBytes ? { maxBytes } : {}) }),
    POLICY,
    undefined,
    () => false,
  )

describe('the size cap on a gateway answer', () => {
  it('an answer that never ends is cut at the cap, once, and its socket is destroyed', async () => {
    const before = requests
    const ex = await get('/endless')
    expect(ex.ok).toBe(false)
    if (ex.ok) return
    expect(ex.failure.code).toBe('too_large')
    expect(ex.failure.message).toContain(String(MAX_ANSWER_BYTES))
    expect(ex.lastResponse).toBeNull()
    // Not retried: the same gateway would send the same answer again.
    expect(ex.attempts).toBe(1)
    expect(requests).toBe(before + 1)
    const s = served.at(-1)!
    await s.closed
    // What the server managed to hand over before the socket went: the cap and what the kernel's
    // buffers took, nowhere near the endless answer.
    expect(s.written).toBeLessThan(16 * 1024 * 1024)
  })

  it('an answer one byte over the cap is refused, one at the cap is read whole', async () => {
    const over = await get(`/sized?size=${MAX_ANSWER_BYTES + 1}`)
    expect(over.ok ? null : over.failure.code).toBe('too_large')
    const at = await get(`/sized?size=${MAX_ANSWER_BYTES}`)
    expect(at.ok).toBe(true)
    if (at.ok) expect(at.response.body.length).toBe(MAX_ANSWER_BYTES)
  })

  it('a request may allow a larger answer (a daily bill), and a smaller one', async () => {
    const big = await get(`/sized?size=${MAX_ANSWER_BYTES * 3}`, MAX_ANSWER_BYTES * 4)
    expect(big.ok).toBe(true)
    const small = await get('/sized?size=2048', 1024)
    expect(small.ok ? null : small.failure.code).toBe('too_large')
  })

  it('the connection after a cut one is a fresh one that works', async () => {
    await get('/endless')
    const next = await get('/sized?size=10')
    expect(next.ok).toBe(true)
    if (next.ok) expect(next.response.body).toBe('b'.repeat(10))
  })
})
