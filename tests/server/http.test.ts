import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileBackend } from '../../src/main/services/api-backend'
import { startHttpServer, type HttpServer } from '../../src/main/server/http/server'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { OPERATION_NAMES } from '../../src/shared/api'
import { contract } from '../../src/shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'
import { screensStub, tempDir } from '../helpers/world'

// Browser mode's door, tried the way a hostile page or a curious local process would, without a
// browser: every refusal the server promises (token, origin, host, method, type, size, paths) and the
// exact set of operations it opens. The e2e journey in Chromium walks through the same door politely.

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

let dir: string
let ctx: ServiceContext
let server: HttpServer
let small: HttpServer
let host: string
const SECRET = 'not-for-the-page-0d5f7c'
/** Names a page might try that are no operation: near misses, and what every object inherits. */
const NOT_OPERATIONS = ['nope', 'app', 'app.info.more', 'toString', 'constructor', '__proto__', 'events']

beforeAll(async () => {
  dir = tempDir()
  // Beside the screens and beside the exports folder: what a path traversal would be after.
  fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET)
  ctx = new ServiceContext({ dbFile: path.join(dir, 'http.db'), transport: 'http' })
  server = await startHttpServer(fileBackend(ctx), { rendererDir: screensStub(dir) })
  small = await startHttpServer(fileBackend(ctx), { rendererDir: screensStub(dir), maxBodyBytes: 1024 })
  host = new URL(server.url).host
})
afterAll(async () => {
  await server.close()
  await small.close()
  await ctx.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function send(
  target: HttpServer,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Answer> {
  const url = new URL(target.url)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: { host: url.host, ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        )
      },
    )
    req.on('error', reject)
    req.end(o.body)
  })
}

/** A call as the page makes it: POST, JSON, the token. */
const api = (name: string, input: unknown = {}, headers: Record<string, string> = {}) =>
  send(server, {
    method: 'POST',
    path: `/api/${name}`,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  })

describe('browser mode refuses', () => {
  it('a call without the token, or with another one (401)', async () => {
    const none = await api('app.info', {}, { authorization: '' })
    expect(none.status).toBe(401)
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect((await api('app.info', {}, { authorization: `Bearer ${server.token}x` })).status).toBe(401)
    expect((await api('app.info', {}, { authorization: `Bearer ${small.token}` })).status).toBe(401)
    expect((await send(server, { path: '/downloads/anything.csv' })).status).toBe(401)
    // The real token works, so the refusals above are about the token.
    expect((await api('app.info')).status).toBe(200)
  })

  it('a call from a page of another site, token or not (403)', async () => {
    for (const origin of ['http://evil.example', `http://${host}.evil.example`, 'null']) {
      const r = await api('app.info', {}, { origin })
      expect(r.status, origin).toBe(403)
    }
    expect((await api('app.info', {}, { origin: `http://${host}` })).status).toBe(200)
  })

  it('a request naming another host, as a rebound DNS name sends it (421)', async () => {
    const port = new URL(server.url).port
    for (const name of [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1:1',
      `localhost.evil.example:${port}`,
    ]) {
      expect((await api('app.info', {}, { host: name })).status, name).toBe(421)
      expect((await send(server, { path: '/', headers: { host: name } })).status, name).toBe(421)
    }
    expect((await api('app.info', {}, { host: `localhost:${port}` })).status).toBe(200)
  })

  it('an operation that does not exist, and a GET of one that does (404)', async () => {
    for (const name of NOT_OPERATIONS) {
      const r = await api(name)
      expect(r.status, name).toBe(404)
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'not_found' } })
    }
    const get = await send(server, {
      path: '/api/app.info',
      headers: { authorization: `Bearer ${server.token}` },
    })
    expect(get.status).toBe(404)
  })

  it('a body that is not JSON (415)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']) {
      const r = await api('app.info', {}, { 'content-type': type })
      expect(r.status, type).toBe(415)
    }
  })

  it('a body above the limit: said up front (before it is read) or found while reading (413)', async () => {
    // A length of 200 MB announced by a raw request that sends none of it: refused on the header.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1')
      let text = ''
      socket.on('data', (d) => (text += d))
      socket.on('close', () => resolve(text))
      socket.on('error', reject)
      socket.write(
        `POST /api/files.upload HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${server.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n`,
      )
    })
    expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    expect(answer).toMatch(/too large: 100 MB at most/)

    // A chunked body (no length said) that outgrows the limit as it arrives.
    const big = await send(small, {
      method: 'POST',
      path: '/api/app.info',
      headers: {
        authorization: `Bearer ${small.token}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const fits = await send(small, {
      method: 'POST',
      path: '/api/app.info',
      headers: { authorization: `Bearer ${small.token}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(fits.status).toBe(200)
  })

  it('a path out of the downloads or the screens folder', async () => {
    const token = { authorization: `Bearer ${server.token}` }
    // A real export downloads, so the refusals below are about the paths.
    const exported = await dispatch(ctx, 'export.run', { kind: 'records' })
    const ok = await send(server, { path: exported.downloadPath!, headers: token })
    expect(ok.status).toBe(200)
    expect(ok.headers['content-type']).toMatch(/text\/csv/)
    for (const p of [
      '/downloads/..%2f..',
      '/downloads/..%2fsecret.txt',
      '/downloads/..%2f..%2fsecret.txt',
      '/downloads/%2e%2e%2fsecret.txt',
      '/downloads/..%5csecret.txt',
      '/downloads/../secret.txt',
      `/downloads/${exported.downloadPath!.split('/')[2]}/..%2f..%2fsecret.txt`,
    ]) {
      const r = await send(server, { path: p, headers: token })
      expect(r.status, p).toBe(404)
      expect(r.body, p).not.toContain(SECRET)
    }
    for (const p of [
      '/..%2f',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%2f..%2fetc%2fpasswd',
      '/%2fetc%2fpasswd',
    ]) {
      const r = await send(server, { path: p })
      expect(r.status, p).toBe(404)
      expect(r.body, p).not.toContain(SECRET)
    }
  })
})

describe('browser mode opens', () => {
  it('POST /api/<op> for exactly the operations of the contract', async () => {
    const reachable: string[] = []
    for (const name of [...Object.keys(contract), ...NOT_OPERATIONS]) {
      const r = await api(name)
      // Reached: the operation answered, a value or its refusal of `{}`, never "no such operation".
      if (r.status === 200) reachable.push(name)
      expect(JSON.parse(r.body), name).toHaveProperty('ok')
    }
    expect(reachable.sort()).toEqual([...OPERATION_NAMES].sort())
  })

  it('the screens to a signed-in browser, with the policy every page of PaySync Desk gets', async () => {
    const open = new URL(server.openUrl)
    const signIn = await send(server, { path: `${open.pathname}${open.search}` })
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!
    const r = await send(server, { path: '/', headers: { cookie } })
    expect(r.status).toBe(200)
    expect(r.body).toContain('PaySync Desk')
    expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(r.headers['x-frame-options']).toBe('DENY')
    // Not signed in: the page that says how, under the same policy.
    const out = await send(server, { path: '/' })
    expect(out.status).toBe(401)
    expect(out.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(out.headers['x-frame-options']).toBe('DENY')
  })

  it("the build's code, named by its content, to be kept; the page that names it, never", async () => {
    const screens = screensStub(dir)
    fs.mkdirSync(path.join(screens, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(screens, 'assets', 'index-Ab12Cd34.js'), 'export {}')
    fs.writeFileSync(path.join(screens, 'favicon.png'), '')
    const code = await send(server, { path: '/assets/index-Ab12Cd34.js' })
    expect(code.status).toBe(200)
    expect(code.headers['content-type']).toMatch(/text\/javascript/)
    expect(code.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    // Outside assets/ a name is not the content's: no promise is made.
    expect((await send(server, { path: '/favicon.png' })).headers['cache-control']).toBeUndefined()
    expect((await send(server, { path: '/' })).headers['cache-control']).toBe('no-store')
  })
})
