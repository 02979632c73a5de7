import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { EVENT_NAMES, OPERATION_NAMES } from '../../../shared/api'
import type { OperationName } from '../../../shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp'
import type { ApiBackend } from '../../services/api-backend'
import { toWireError } from '../../services/index'
import { jsonFault } from '../json-position'
import { SIGN_IN_PAGE } from './sign-in-page'

// Browser mode: the desktop app's screens (the same renderer build) and the same contract over HTTP,
// on loopback only. A call from a page of another origin, or to another host name (DNS rebinding),
// is refused, and so is one that is not signed in:
// - the browser signs in once: the address `paysync serve` prints carries a code that works once and
//   is exchanged for a session cookie (HttpOnly, SameSite=Strict), so the page's script never holds a
//   credential and no address that reaches the API lands in the history or the downloads list;
// - a script (curl, the tests) sends the run's token in an Authorization header, never in the URL.
// The screens' own files are public (they are the build); the page that opens them is not.

export interface HttpServerOptions {
  port?: number
  /** out/renderer: the built screens. */
  rendererDir: string
  token?: string
  /** The largest request body taken; a larger one is refused (413) before or while it is read. */
  maxBodyBytes?: number
}

export interface HttpServer {
  url: string
  /** The run's token for scripts: `Authorization: Bearer <token>`, accepted in that header only. */
  token: string
  /** The address to open: its code signs one browser in, once. */
  openUrl: string
  close(): Promise<void>
}

/** An upload of the largest file `files.upload` takes (64 MB), base64 and JSON around it. */
const MAX_BODY = 100 * 1024 * 1024
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

/** A path segment decoded, or null when it is not valid percent-encoding. */
function decoded(segment: string | undefined): string | null {
  try {
    return segment === undefined ? null : decodeURIComponent(segment)
  } catch {
    return null
  }
}

/** The cookie's value from a Cookie header, or ''. */
function cookieValue(header: string | undefined, name: string): string {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return ''
}

export async function startHttpServer(books: ApiBackend, options: HttpServerOptions): Promise<HttpServer> {
  const token = options.token ?? crypto.randomBytes(24).toString('base64url')
  /** The open address's code: exchanged for a session once, then dead. */
  let openCode: string | null = crypto.randomBytes(24).toString('base64url')
  const sessions = new Set<string>()
  const maxBody = options.maxBodyBytes ?? MAX_BODY
  const root = path.resolve(options.rendererDir)
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(`the screens are not built (${root}/index.html is missing): run npm run build first`)
  }
  let port = 0
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  const clients = new Set<http.ServerResponse>()
  // The events are listened to while a tab holds the stream: what only a listener starts (the watch
  // of other processes' changes, services/live/) runs then and not for a server nobody looks at.
  let offs: Array<() => void> = []
  const addClient = (res: http.ServerResponse): void => {
    if (clients.size === 0)
      offs = EVENT_NAMES.map((event) =>
        books.on(event, (payload) => {
          const data = `data: ${JSON.stringify({ event, payload })}\n\n`
          for (const c of clients) c.write(data)
        }),
      )
    clients.add(res)
  }
  const dropClient = (res: http.ServerResponse): void => {
    if (!clients.delete(res) || clients.size > 0) return
    offs.forEach((off) => off())
    offs = []
  }

  function securityHeaders(res: http.ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
  }

  function json(res: http.ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value)
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
  }

  // Cookies are per host, not per port: two runs on 127.0.0.1 keep theirs apart by the port.
  const cookieName = () => `paysync-session-${port}`

  function signedIn(req: http.IncomingMessage): boolean {
    const given = cookieValue(req.headers.cookie, cookieName())
    return given !== '' && [...sessions].some((s) => sameToken(given, s))
  }

  /**
   * The run's token in the Authorization header, or the session cookie of a signed-in browser sent by
   * our own page: a page of another port of this computer is the same "site" to a cookie, so what
   * the browser says of the request's origin (Sec-Fetch-Site) must be ours or the person's own typing.
   */
  function authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    if (header.startsWith('Bearer ')) return sameToken(header.slice(7), token)
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false
    return signedIn(req)
  }

  /** The open address: its code, once, becomes a session; then the address is clean of it. */
  function signIn(req: http.IncomingMessage, res: http.ServerResponse, code: string): void {
    if (openCode !== null && sameToken(code, openCode)) {
      openCode = null
      const session = crypto.randomBytes(32).toString('base64url')
      sessions.add(session)
      res.setHeader('set-cookie', `${cookieName()}=${session}; HttpOnly; SameSite=Strict; Path=/`)
    } else if (!signedIn(req)) return signInPage(res)
    res.writeHead(303, { location: '/', 'cache-control': 'no-store' })
    res.end()
  }

  function signInPage(res: http.ServerResponse): void {
    res.writeHead(401, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'cache-control': 'no-store',
    })
    res.end(SIGN_IN_PAGE)
  }

  function serveFile(
    res: http.ServerResponse,
    file: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream'
    const headers: Record<string, string> = { 'content-type': type, ...extraHeaders }
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = CONTENT_SECURITY_POLICY
      headers['cache-control'] = 'no-store'
    } else if (path.relative(root, file).startsWith(`assets${path.sep}`) && !('cache-control' in headers)) {
      // The build names everything under assets/ by its content, so a name never changes meaning:
      // a second visit takes the code from the browser's cache (and V8's compiled copy of it)
      // without asking. index.html, never cached, names the build's current files.
      headers['cache-control'] = 'public, max-age=31536000, immutable'
    }
    res.writeHead(200, headers)
    fs.createReadStream(file).pipe(res)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    securityHeaders(res)
    // A page of another site resolving its own name to 127.0.0.1 still sends its own Host: refuse it.
    if (!allowedHosts().has(req.headers.host ?? ''))
      return json(res, 421, { ok: false, error: { code: 'forbidden', message: 'unknown host' } })
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`)

    if (url.pathname.startsWith('/api/')) {
      const origin = req.headers.origin
      if (origin && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) {
        return json(res, 403, {
          ok: false,
          error: { code: 'forbidden', message: 'calls from other sites are refused' },
        })
      }
      if (!authorized(req))
        return json(res, 401, {
          ok: false,
          error: {
            code: 'forbidden',
            message: 'not signed in: open the address paysync serve printed',
          },
        })
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        })
        res.write(': connected\n\n')
        addClient(res)
        req.on('close', () => dropClient(res))
        return
      }
      const name = url.pathname.slice('/api/'.length) as OperationName
      if (req.method !== 'POST' || !OPERATION_NAMES.includes(name)) {
        return json(res, 404, {
          ok: false,
          error: { code: 'not_found', message: `there is no operation ${name}` },
        })
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return json(res, 415, { ok: false, error: { code: 'invalid_input', message: 'send JSON' } })
      }
      let body: string
      try {
        body = await readBody(req, maxBody)
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err
        // Said once, then the connection goes: the rest of the body is not read.
        res.setHeader('connection', 'close')
        res.once('finish', () => req.destroy())
        return json(res, 413, { ok: false, error: { code: 'invalid_input', message: err.message } })
      }
      let input: unknown
      try {
        input = JSON.parse(body || '{}')
      } catch {
        // Where, never what: JSON.parse's message quotes the body, and a body can hold a secret.
        return json(res, 400, {
          ok: false,
          error: { code: 'invalid_input', message: `the body is not valid JSON at ${jsonFault(body)}` },
        })
      }
      try {
        return json(res, 200, { ok: true, value: await books.dispatch(name, input) })
      } catch (err) {
        return json(res, 200, { ok: false, error: toWireError(err) })
      }
    }

    if (url.pathname.startsWith('/downloads/')) {
      if (!authorized(req))
        return json(res, 401, { ok: false, error: { code: 'forbidden', message: 'not signed in' } })
      // /downloads/<id>/<name>, exactly as export.run answered it: the id finds the export, its name
      // must be the export's own.
      const [id = '', name, ...more] = url.pathname.slice('/downloads/'.length).split('/')
      const found = more.length === 0 && name !== undefined ? books.exportedFile(id) : null
      if (!found || decoded(name) !== found.name)
        return json(res, 404, { ok: false, error: { code: 'not_found', message: 'no such export' } })
      return serveFile(res, found.file, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(found.name)}`,
        'cache-control': 'no-store',
      })
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { ok: false, error: { code: 'invalid_input', message: 'method not allowed' } })
    // The page that opens the screens is for a signed-in browser; its scripts and styles are public.
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const code = url.searchParams.get('code')
      if (code !== null) return signIn(req, res, code)
      if (!signedIn(req)) return signInPage(res)
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '')
    const file = path.resolve(root, rel)
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      return json(res, 404, { ok: false, error: { code: 'not_found', message: 'not found' } })
    }
    serveFile(res, file)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) json(res, 500, { ok: false, error: toWireError(err) })
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // Loopback only: browser mode is for the person at this computer.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    token,
    openUrl: `${url}/?code=${openCode}`,
    close: () =>
      new Promise<void>((resolve) => {
        offs.forEach((off) => off())
        offs = []
        for (const c of clients) c.end()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

class BodyTooLarge extends Error {
  constructor(max: number) {
    const mb = max / 1024 / 1024
    super(`the request is too large: ${mb >= 1 ? `${Math.floor(mb)} MB` : `${max} bytes`} at most`)
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // A length said up front is refused before a byte of the body is read.
    if (Number(req.headers['content-length'] ?? 0) > max) return reject(new BodyTooLarge(max))
    const chunks: Buffer[] = []
    let size = 0
    const take = (c: Buffer) => {
      size += c.length
      if (size > max) {
        req.off('data', take)
        req.pause()
        reject(new BodyTooLarge(max))
      } else chunks.push(c)
    }
    req.on('data', take)
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
