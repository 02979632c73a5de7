import type { CustomScheme, Protocol } from 'electron'
import fs from 'node:fs'
import path from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'

// The window's page comes from a scheme of our own, app://paysync/, not from file:// (review I1): on
// file:// the policy's 'self' and the IPC sender check would both mean "any file on this computer",
// so a page opened from anywhere on the disk would count as ours. Here 'self' is app://paysync, the
// page's address is one only this handler answers, and it serves the built screens and nothing else.

export const APP_ORIGIN = 'app://paysync'
/** The page the window shows, and the only document IPC calls are accepted from. */
export const APP_PAGE = `${APP_ORIGIN}/index.html`

/**
 * Said before the app is ready (Electron's rule): a standard, secure scheme, so the page is a secure
 * context with an origin of its own, and ES modules and fetch work on it as they do on https.
 */
export const APP_SCHEME: CustomScheme = {
  scheme: 'app',
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
}

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

const refuse = (status: number, text: string) =>
  new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/**
 * The handler of app://: files of the built screens under `root`, by path; anything that would leave
 * `root` (`..`, encoded or not), another host name, or a method other than GET is refused. The page
 * carries the policy as a header too: a custom scheme's answers do not pass the session's header hook.
 */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  const base = path.resolve(root)
  return async (request) => {
    const url = new URL(request.url)
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return refuse(404, 'not found')
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed')
    let rel: string
    try {
      rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html'
    } catch {
      return refuse(400, 'bad path')
    }
    const file = path.resolve(base, rel)
    if (!file.startsWith(base + path.sep) || rel.includes('\0')) return refuse(403, 'outside the screens')
    let body: Buffer
    try {
      body = await fs.promises.readFile(file)
    } catch {
      return refuse(404, 'not found')
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream'
    const headers: Record<string, string> = { 'content-type': type, 'x-content-type-options': 'nosniff' }
    if (type.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { headers })
  }
}

/** Serves the built screens on app:// in the default session. */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle('app', appProtocolHandler(rendererDir))
}

/**
 * The page to load: the dev server's while developing (`npm run dev` sets ELECTRON_RENDERER_URL),
 * never in a packaged app, where that variable in the environment would otherwise make any page the
 * window and the one trusted with every IPC call (review I1).
 */
export function pageUrl(packaged: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const dev = env.ELECTRON_RENDERER_URL
  return !packaged && dev ? dev : APP_PAGE
}
