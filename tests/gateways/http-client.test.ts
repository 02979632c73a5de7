import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exchange, type HttpRequest, type RetryPolicy } from '../../src/main/gateways/http'
import { CallSlots } from '../../src/main/gateways/rate-gate'

// The one configured HTTP client (issue 16): axios's HTTP adapter called with a configuration made
// once, on keep-alive agents. A loopback server counts the connections it is given and keeps what
// each request carried, so that socket reuse and the request as sent are both pinned.

const POLICY: RetryPolicy = { timeoutMs: 5_000, retries: 0, backoffMs: 1, maxBackoffMs: 1 }
const BOM_BODY = '\ufeff{"ok":true}'

let server: http.Server
let url = ''
let connections = 0
let inFlight = 0
let mostInFlight = 0
const seen: Array<{ method: string; headers: http.IncomingHttpHeaders; body: string }> = []

// A server of its own per test, on a port of its own: the client's idle sockets to another test's
// server are not reused here, and none of them is cut under a request.
beforeEach(async () => {
  connections = 0
  mostInFlight = 0
  seen.length = 0
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      const path = req.url ?? '/'
      if (path.startsWith('/moved')) {
        res.writeHead(302, { location: `${url}/elsewhere` })
        res.end()
        return
      }
      inFlight += 1
      mostInFlight = Math.max(mostInFlight, inFlight)
      // A few milliseconds at the "gateway", so that calls overlap as a batch's do.
      setTimeout(() => {
        inFlight -= 1
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        res.end(BOM_BODY)
      }, 5)
    })
  })
  server.on('connection', () => (connections += 1))
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const post = (path: string, extra: Partial<HttpRequest> = {}, slots?: CallSlots) =>
  exchange(
    () => ({ method: 'POST', url: `${url}${path}`, body: 'biz_content=%7B%7D', ...extra }),
    POLICY,
    slots ? { slots } : undefined,
    () => false,
  )

describe('the shared HTTP client', () => {
  it('reuses its sockets: calls one after another go over one connection', async () => {
    for (let i = 0; i < 20; i++) {
      const ex = await post('/q')
      expect(ex.ok).toBe(true)
    }
    expect(seen).toHaveLength(20)
    expect(connections).toBe(1)
  })

  it('opens no more connections than calls in flight, however many calls a batch makes', async () => {
    const slots = new CallSlots(8)
    const results = await Promise.all(Array.from({ length: 200 }, () => post('/q', {}, slots)))
    expect(results.every((r) => r.ok)).toBe(true)
    expect(seen).toHaveLength(200)
    expect(mostInFlight).toBeLessThanOrEqual(8)
    expect(connections).toBeLessThanOrEqual(8)
  })

  it('sends the request as before: its headers, the default Accept, no compression asked', async () => {
    const ex = await post('/q', { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(ex.ok).toBe(true)
    const [req] = seen
    expect(req!.method).toBe('POST')
    expect(req!.body).toBe('biz_content=%7B%7D')
    expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(req!.headers['content-length']).toBe(String('biz_content=%7B%7D'.length))
    expect(req!.headers['accept']).toBe('application/json, text/plain, */*')
    expect(req!.headers['accept-encoding']).toBe('identity')
    expect(req!.headers['connection']).toBe('keep-alive')
    // An adapter's own Accept wins over the default, whatever its case.
    await post('/q', { headers: { accept: 'application/json' } })
    expect(seen[1]!.headers['accept']).toBe('application/json')
  })

  it('keeps the answer byte for byte, a leading byte-order mark included', async () => {
    const ex = await post('/q')
    expect(ex.ok && ex.response.body).toBe(BOM_BODY)
    expect(ex.ok && ex.response.headers['content-type']).toBe('application/json; charset=utf-8')
  })

  it('follows no redirect: the adapter reads the 302 itself', async () => {
    const ex = await post('/moved')
    expect(ex.ok && ex.response.status).toBe(302)
    expect(seen.map((r) => r.method)).toEqual(['POST'])
  })
})
