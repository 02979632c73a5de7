import { execFile } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SECRET_FIELDS } from '../../src/shared/profiles'
import { CHANNELS } from '../../src/shared/domain'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { tempDir } from '../helpers/world'

// The simulator's control door (/_sim/, docs/cli.md section 2.2) as a page in the person's browser
// could knock on it: the review's L6. The app and `paysync serve` run this simulator as the sandbox
// on a loopback port, and a web page can make the browser send requests there. So the door answers
// only requests addressed to loopback:port (a rebound DNS name is refused), never one a page sends
// (any Origin), and a write only as JSON (a page's form or no-cors fetch cannot send that type
// without a preflight the simulator never grants). Private keys never leave through it.

let sim: Simulator
let dir: string
beforeAll(async () => {
  dir = tempDir()
  sim = await startSimulator({
    scenario: {
      merchants: CHANNELS.map((channel) => ({ name: `door-${channel}`, channel })),
      orders: [],
      refunds: [],
    },
  })
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A raw request, so the Host header can be anything (fetch would not let a test set it). */
function send(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      // An empty host header stands for none at all (HTTP/1.0 clients send none).
      { host: '127.0.0.1', port: sim.port, method, path: pathname, headers, setHost: headers.host !== '' },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    if (headers.host === '') req.removeHeader('host')
    req.end(body)
  })
}

const json = { 'content-type': 'application/json' }

describe('the /_sim/ control door', () => {
  it('answers loopback:port, under either loopback name', async () => {
    for (const host of [`127.0.0.1:${sim.port}`, `localhost:${sim.port}`]) {
      const r = await send('GET', '/_sim/stats', { host })
      expect(r.status, host).toBe(200)
    }
    const post = await send('POST', '/_sim/faults', json, '{"latencyMs":0}')
    expect(post.status).toBe(200)
  })

  it('refuses a foreign Host (DNS rebinding) and loopback on another port', async () => {
    for (const host of [`evil.example:${sim.port}`, 'evil.example', `127.0.0.1:${sim.port + 1}`, '']) {
      const r = await send('GET', '/_sim/merchants', { host })
      // No Host at all is refused by Node's server itself (400), before the simulator sees it.
      expect(r.status, host).toBe(host === '' ? 400 : 421)
      expect(r.body).not.toMatch(/PRIVATE KEY/)
    }
  })

  it('refuses any request a page sends: any Origin, its own included', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${sim.port}`, 'null']) {
      const r = await send('POST', '/_sim/faults', { ...json, origin }, '{"latencyMs":5000}')
      expect(r.status, origin).toBe(403)
      const read = await send('GET', '/_sim/orders', { origin })
      expect(read.status, origin).toBe(403)
    }
    expect(sim.state.faults.latencyMs).toBe(0)
  })

  it('takes a write only as JSON', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const r = await send('POST', '/_sim/faults', { 'content-type': type }, '{"latencyMs":5000}')
      expect(r.status, type).toBe(415)
    }
    const none = await send('POST', '/_sim/reset', {})
    expect(none.status).toBe(415)
    expect(sim.state.faults.latencyMs).toBe(0)
  })

  it('lists the merchants without a single secret field', async () => {
    const r = await send('GET', '/_sim/merchants')
    expect(r.status).toBe(200)
    expect(r.body).not.toMatch(/PRIVATE KEY/)
    const listed = JSON.parse(r.body) as Array<Record<string, unknown>>
    expect(listed.map((m) => m.name).sort()).toEqual(CHANNELS.map((c) => `door-${c}`).sort())
    for (const m of listed) {
      const channel = m.channel as (typeof CHANNELS)[number]
      for (const field of SECRET_FIELDS[channel]) expect(m, `${channel} ${field}`).not.toHaveProperty(field)
      // What a person needs to recognise and set up the profile is still there.
      expect(m.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:/)
    }
  })
})

describe('paysync simulator --write-merchants', () => {
  it('is how whole profiles leave the simulator: files of mode 0600 in a folder of mode 0700', async () => {
    const out = path.join(dir, 'profiles')
    const child = execFile(process.execPath, [
      path.resolve('bin/paysync.js'),
      'simulator',
      '--write-merchants',
      out,
    ])
    const line = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout!.on('data', (d) => {
        text += d
        if (text.includes('\n')) resolve(text.split('\n')[0]!)
      })
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
    })
    try {
      expect(JSON.parse(line)).toMatchObject({ merchants: [{ name: 'sim-alipay' }] })
      const file = path.join(out, 'sim-alipay.json')
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(fs.statSync(out).mode & 0o777).toBe(0o700)
      expect(fs.readFileSync(file, 'utf8')).toMatch(/PRIVATE KEY/)
    } finally {
      await new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      })
    }
  }, 60_000)
})
