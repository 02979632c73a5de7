import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { clockSkewMs, exchange } from '../../src/main/gateways/http'
import { RateGate } from '../../src/main/gateways/rate-gate'
import { CallAbandonedError } from '../../src/main/gateways/types'

// Gateways write their time in whole seconds; the skew shown beside a merchant must not turn that
// truncation into a false "+834 ms".
describe('clock skew from a time written in whole seconds', () => {
  const D = Date.UTC(2026, 10, 20, 2, 0, 0)
  it('is zero for a gateway whose clock agrees, wherever in the second the answer came', () => {
    for (const after of [0, 150, 499, 850, 999]) expect(clockSkewMs(D + after + 40, D, 80)).toBe(0)
  })
  it('is zero for a gateway on this machine however late the answer is read within its second', () => {
    // Stamped 960 ms into its second, read 80 ms later by a busy event loop: once read as +1 s.
    expect(clockSkewMs(D + 960 + 80, D, 20)).toBe(0)
    expect(clockSkewMs(D + 999 + 400, D, 10)).toBe(0)
  })
  it('is whole seconds, signed: positive when this computer is ahead', () => {
    expect(clockSkewMs(D + 3_400, D, 100)).toBe(3_000)
    expect(clockSkewMs(D - 5_000 + 600, D, 20)).toBe(-5_000)
  })
  it('is unknown without a server time', () => {
    expect(clockSkewMs(D, null, 10)).toBeNull()
  })
})

// Waiting for a call slot or the QPS gate is our own queue, not the gateway: counted as latency it
// made a throttled batch show seconds of latency and a false clock skew on the merchant's row.
describe('latency of one exchange', () => {
  it('is the request round trip alone, not the wait for the gate', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('Date', new Date().toUTCString())
      res.end('ok')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    try {
      const gate = new RateGate(2)
      const ask = () =>
        exchange(
          () => ({ method: 'GET' as const, url: `http://127.0.0.1:${port}/`, headers: {} }),
          { retries: 0, timeoutMs: 5_000, backoffMs: 10, maxBackoffMs: 10 },
          { gate },
          () => false,
        )
      const started = performance.now()
      const answers = await Promise.all([ask(), ask(), ask()])
      // The third waited about a second for its turn; its round trip is a few milliseconds.
      expect(performance.now() - started).toBeGreaterThan(900)
      for (const a of answers) {
        expect(a.ok).toBe(true)
        expect(a.latencyMs).toBeLessThan(300)
      }
    } finally {
      server.close()
    }
  })

  it('is none when no answer came back (a refused connection has no round trip)', async () => {
    const server = http.createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((r) => server.close(() => r()))
    const ex = await exchange(
      () => ({ method: 'GET' as const, url: `http://127.0.0.1:${port}/`, headers: {} }),
      { retries: 0, timeoutMs: 2_000, backoffMs: 10, maxBackoffMs: 10 },
      undefined,
      () => false,
    )
    expect(ex.ok).toBe(false)
    expect(ex.latencyMs).toBeNull()
  })

  it('a stop asked before the first request sends nothing, and is not asked again once one has gone', async () => {
    let hits = 0
    const server = http.createServer((_req, res) => {
      hits++
      res.end('ok')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    const request = () => ({ method: 'GET' as const, url: `http://127.0.0.1:${port}/`, headers: {} })
    const policy = { retries: 0, timeoutMs: 5_000, backoffMs: 10, maxBackoffMs: 10 }
    try {
      await expect(exchange(request, policy, { stop: () => true }, () => false)).rejects.toBeInstanceOf(
        CallAbandonedError,
      )
      expect(hits).toBe(0)
      let stopNow = false
      const ctx = { stop: () => stopNow }
      await exchange(request, policy, ctx, () => false)
      stopNow = true
      // The second call of the same sync (a close after the query) goes out: the sync has begun.
      const second = await exchange(request, policy, ctx, () => false)
      expect(second.ok).toBe(true)
      expect(hits).toBe(2)
    } finally {
      server.close()
    }
  })
})
