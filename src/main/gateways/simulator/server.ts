import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Channel } from '../../../shared/domain'
import { isSecretField } from '../../../shared/profiles'
import { room } from './bills/stream'
import { CHANNEL_HANDLERS } from './channels'
import { handleControl, scenarioSchema, upsertOrders, upsertRefunds, type Scenario } from './control'
import { makeSimMerchant, merchantProfile } from './merchants'
import { SimState, type FaultConfig, type FaultName } from './state'
import type { ChannelHandler, HandlerFactory, SimOptions, SimRequest, SimResponse } from './types'

export interface SimulatorOptions {
  host?: string
  port?: number
  scenario?: Scenario
  faults?: Partial<FaultConfig>
  timestampToleranceSec?: number
  now?: () => number
  /** Protocols served; each channel's part registers itself in ./channels. */
  handlers?: HandlerFactory[]
}

export interface Simulator {
  url: string
  port: number
  state: SimState
  /** Merchant profiles ready for `merchant add`, one per simulated merchant. */
  profiles(): Record<string, unknown>[]
  addMerchants(merchants: Scenario['merchants']): Promise<void>
  close(): Promise<void>
}

const MAX_BODY = 1024 * 1024
const HOLD_MS = 120_000
/** How much an `oversized` answer sends at most, should a client read it all: far past any cap. */
const OVERSIZED_BYTES = 64 * 1024 * 1024
const OVERSIZED_CHUNK = Buffer.alloc(64 * 1024, 0x20)

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1')
}

/**
 * Why a control request is refused, or null. The app and `paysync serve` run this simulator as their
 * sandbox, and any web page the person opens can make the browser send requests to a loopback port:
 * so the door answers only a request addressed to loopback at this port (a page's own name rebound to
 * 127.0.0.1 still says its own Host), never one a page sends (browsers always add an Origin to a
 * cross-site request, and scripts driving the simulator send none), and takes a write only as JSON,
 * a type no page can send without a preflight the simulator never grants.
 */
function controlRefusal(req: http.IncomingMessage, port: number): SimResponse | null {
  const refuse = (status: number, body: string): SimResponse => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body,
  })
  if (!isLoopback(req.socket.remoteAddress)) return refuse(403, 'control endpoints answer loopback only')
  const host = req.headers.host ?? ''
  if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host))
    return refuse(421, 'control endpoints answer requests to 127.0.0.1 or localhost at this port only')
  if (req.headers.origin !== undefined) return refuse(403, 'control endpoints refuse requests from web pages')
  if (req.method !== 'GET' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
    return refuse(415, 'control requests are JSON: send content-type: application/json')
  return null
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('request body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState()
  const simOptions: SimOptions = {
    timestampToleranceSec: options.timestampToleranceSec ?? 900,
    now: options.now ?? Date.now,
  }
  const factories = options.handlers ?? CHANNEL_HANDLERS
  const handlers: ChannelHandler[] = factories.map((f) => f(state, simOptions))
  if (options.faults) state.faults = { ...state.faults, ...options.faults }
  let baseUrl = ''
  let port = 0

  function pickFault(handler: ChannelHandler): FaultName | null {
    const f = state.faults
    if (f.faultRate <= 0 || f.faults.length === 0 || Math.random() >= f.faultRate) return null
    const usable = f.faults.filter((x) => handler.faults.includes(x))
    if (usable.length === 0) return null
    return usable[Math.floor(Math.random() * usable.length)]!
  }

  /**
   * The `oversized` fault: an answer that does not end, as a broken gateway, a captive portal or a
   * hostile one sends it, written as fast as the client reads and stopped when it goes.
   */
  function sendOversized(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' })
    res.on('error', () => undefined)
    let sent = 0
    const pump = (): void => {
      while (!res.destroyed && sent < OVERSIZED_BYTES) {
        sent += OVERSIZED_CHUNK.length
        if (!res.write(OVERSIZED_CHUNK)) return void res.once('drain', pump)
      }
      if (!res.destroyed) res.end()
    }
    res.write('{"code":0,"data":"')
    pump()
  }

  function send(res: http.ServerResponse, r: SimResponse): void {
    if (res.destroyed) return
    res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) })
    res.end(r.body)
  }

  /** A streamed answer, at the pace the client reads; stopped when it goes away. */
  async function sendStream(
    res: http.ServerResponse,
    r: SimResponse,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
  ) {
    if (res.destroyed) return
    res.on('error', () => undefined)
    res.writeHead(r.status, r.headers)
    try {
      for await (const chunk of body) {
        if (res.destroyed) return
        if (!res.write(chunk)) await room(res)
      }
    } catch (err) {
      // Half a file already went out: cut the connection, so the client sees it broken, not short.
      res.destroy(err as Error)
      return
    }
    if (!res.destroyed) res.end()
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const arrived = performance.now()
    const body = await readBody(req)
    const target = req.url ?? '/'
    const url = new URL(target, 'http://simulator.local')
    if (url.pathname.startsWith('/_sim/')) {
      const refusal = controlRefusal(req, port)
      send(
        res,
        refusal ??
          handleControl(state, req.method ?? 'GET', url.pathname, body, { merchants: publicProfiles }),
      )
      return
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      target,
      url,
      headers: req.headers,
      body,
      fault: null,
    }
    const handler = handlers.find((h) => h.matches(simReq))
    if (!handler) {
      send(res, {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: '{"code":"NOT_FOUND","message":"no such API"}',
      })
      return
    }
    state.inFlight += 1
    state.stats.maxConcurrent = Math.max(state.stats.maxConcurrent, state.inFlight)
    try {
      state.count(handler.endpoint(simReq))
      const now = performance.now()
      state.arrived(now)
      if (state.faults.qps > 0 && state.rateWindow.count(now) >= state.faults.qps) {
        state.stats.rateLimited += 1
        send(res, handler.rateLimited(simReq))
        return
      }
      state.rateWindow.add(now)
      const held = state.heldFor(`${target}\n${body}`)
      if (held) await held
      simReq.fault = pickFault(handler)
      if (simReq.fault) state.stats.faultsInjected += 1
      const { latencyMs, jitterMs } = state.faults
      const delay = latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0)
      if (delay > 0) await sleep(delay)
      if (simReq.fault === 'timeout') {
        // Hold the request without an answer until the client gives up.
        await Promise.race([sleep(HOLD_MS), new Promise((r) => res.once('close', r))])
        res.destroy()
        return
      }
      if (simReq.fault === 'reset') {
        req.socket.destroy()
        return
      }
      if (simReq.fault === 'oversized') {
        sendOversized(res)
        return
      }
      const answer = await handler.handle(simReq)
      if (answer.stream) await sendStream(res, answer, answer.stream())
      else send(res, answer)
      state.served += 1
      state.serviceMs += performance.now() - arrived
    } finally {
      state.inFlight -= 1
    }
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, {
          status: 500,
          headers: { 'content-type': 'text/plain' },
          body: `simulator error: ${err.message}`,
        })
      }
    })
  })
  server.keepAliveTimeout = 30_000

  function profiles(): Record<string, unknown>[] {
    return [...state.merchants.values()].map((m) => merchantProfile(m, baseUrl))
  }

  /** What the control door lists: whole profiles leave only through `--write-merchants` (mode 0600). */
  function publicProfiles(): Record<string, unknown>[] {
    return profiles().map((p) =>
      Object.fromEntries(Object.entries(p).filter(([k]) => !isSecretField(p.channel as Channel, k))),
    )
  }

  async function addMerchants(list: Scenario['merchants']): Promise<void> {
    const made = await Promise.all(list.map((m) => makeSimMerchant(m)))
    for (const m of made) state.merchants.set(m.name, m)
  }

  if (options.scenario) {
    const sc = scenarioSchema.parse(options.scenario)
    await addMerchants(sc.merchants)
    upsertOrders(state, sc.orders)
    upsertRefunds(state, sc.refunds)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const addr = server.address() as AddressInfo
  port = addr.port
  const host =
    addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address
  baseUrl = `http://${host}:${addr.port}`

  return {
    url: baseUrl,
    port: addr.port,
    state,
    profiles,
    addMerchants,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
