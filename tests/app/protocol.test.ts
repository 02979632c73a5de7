import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'
import { tempDir } from '../helpers/world'

// The window's page on app://paysync/ (review I1): the built screens and nothing else, and never a
// dev server's page in a packaged app.

vi.mock('electron', () => import('../mocks/electron'))
const { APP_PAGE, appProtocolHandler, pageUrl } = await import('../../src/main/app/protocol')

let dir: string
let handler: (r: Request) => Promise<Response>
beforeAll(() => {
  dir = tempDir()
  const screens = path.join(dir, 'screens')
  fs.mkdirSync(path.join(screens, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(screens, 'index.html'), '<!doctype html><title>PaySync Desk</title>')
  fs.writeFileSync(path.join(screens, 'assets', 'index.js'), 'export {}')
  // Beside the screens: what a path that climbs out would reach.
  fs.writeFileSync(path.join(dir, 'paysync.key'), 'THE-KEY')
  fs.writeFileSync(path.join(dir, 'screens-evil.txt'), 'NEXT-DOOR')
  handler = appProtocolHandler(screens)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const get = (url: string, init?: RequestInit) => handler(new Request(url, init))

describe('app://paysync/', () => {
  it('serves the page with its policy, and the scripts as modules', async () => {
    for (const url of [APP_PAGE, 'app://paysync/', 'app://paysync/index.html?x=1#/orders']) {
      const r = await get(url)
      expect(r.status, url).toBe(200)
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
      expect(await r.text()).toContain('PaySync Desk')
    }
    const js = await get('app://paysync/assets/index.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('refuses every way out of the screens, and other hosts and methods', async () => {
    for (const url of [
      'app://paysync/../paysync.key',
      'app://paysync/%2e%2e/paysync.key',
      'app://paysync/..%2fpaysync.key',
      'app://paysync/assets/..%2f..%2fpaysync.key',
      'app://paysync/%2fetc%2fpasswd',
      'app://paysync/..%2fscreens-evil.txt',
      'app://paysync/index.html%00.js',
      'app://paysync/%E0%A4%A',
      'app://other/index.html',
    ]) {
      const r = await get(url)
      expect(r.status, url).toBeGreaterThanOrEqual(400)
      const text = await r.text()
      expect(text, url).not.toContain('THE-KEY')
      expect(text, url).not.toContain('NEXT-DOOR')
      expect(text, url).not.toMatch(/root:/)
    }
    expect((await get(APP_PAGE, { method: 'POST', body: 'x' })).status).toBe(405)
  })
})

describe('the page the window loads', () => {
  it('is the dev server only while developing, never in a packaged app', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' }
    expect(pageUrl(false, env)).toBe('http://localhost:5173/')
    expect(pageUrl(true, env)).toBe(APP_PAGE)
    expect(pageUrl(false, {})).toBe(APP_PAGE)
  })
})
