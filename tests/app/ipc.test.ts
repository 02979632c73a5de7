import path from 'node:path'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { OPERATION_NAMES } from '../../src/shared/api'
import { fileBackend } from '../../src/main/services/api-backend'
import { ServiceContext } from '../../src/main/services/context'
import { tempDir } from '../helpers/world'

// The Electron layer with the mocked `electron` module: the only thing here that cannot run for real.
vi.mock('electron', () => import('../mocks/electron'))

const { registerIpc, CHANNEL_PREFIX } = await import('../../src/main/app/ipc')
const { windowOptions, lockNavigation, trustedSender, CONTENT_SECURITY_POLICY } =
  await import('../../src/main/app/window')
const { isSafeExternalUrl } = await import('../../src/main/app/external')

type Handler = (
  event: unknown,
  input: unknown,
) => Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>

let dir: string
let ctx: ServiceContext
const handlers = new Map<string, Handler>()
const ipcMain = { handle: (channel: string, h: Handler) => handlers.set(channel, h) }

const mainFrame = { url: 'file:///app/out/renderer/index.html' }
const webContents = { mainFrame }
const win = { webContents }
const trusted = { sender: webContents, senderFrame: mainFrame }

beforeAll(() => {
  dir = tempDir()
  ctx = new ServiceContext({ dbFile: path.join(dir, 'app.db'), transport: 'electron' })
  registerIpc(
    ipcMain as never,
    fileBackend(ctx),
    trustedSender(() => win as never, 'file:///app/out/renderer/index.html'),
  )
})
afterAll(async () => {
  await ctx.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('Electron IPC', () => {
  it('registers exactly one handler per contract operation', () => {
    expect([...handlers.keys()].sort()).toEqual(OPERATION_NAMES.map((n) => `${CHANNEL_PREFIX}${n}`).sort())
  })

  it('answers our window, validating input where it enters main', async () => {
    const list = handlers.get('paysync:records.list')!
    expect(await list(trusted, { limit: 10 })).toMatchObject({ ok: true, value: { total: 0, items: [] } })
    const bad = await list(trusted, { limit: 'ten' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('refuses a call from any other sender or frame', async () => {
    const list = handlers.get('paysync:records.list')!
    const otherFrame = { url: 'https://evil.example/' }
    for (const event of [
      { sender: { mainFrame }, senderFrame: mainFrame },
      { sender: webContents, senderFrame: otherFrame },
      { sender: webContents, senderFrame: { url: 'file:///app/out/renderer/index.html' } },
    ]) {
      expect(await list(event, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
  })
})

describe('the window', () => {
  it('is isolated and sandboxed, with no Node in the page', () => {
    const o = windowOptions('/p/preload.cjs', { devTools: false })
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
    })
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/)
  })

  it('blocks navigation away and new windows; only https links leave, through the browser', () => {
    const listeners: Record<string, (e: { preventDefault: () => void }, url: string) => void> = {}
    let openHandler: ((d: { url: string }) => { action: string }) | null = null
    const fakeWin = {
      webContents: {
        on: (ev: string, fn: (e: { preventDefault: () => void }, url: string) => void) =>
          (listeners[ev] = fn),
        setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (openHandler = fn),
      },
    }
    lockNavigation(fakeWin as never, 'file:///app/index.html')
    const prevented = vi.fn()
    listeners['will-navigate']!({ preventDefault: prevented }, 'https://evil.example/')
    expect(prevented).toHaveBeenCalled()
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' })
    expect(isSafeExternalUrl('https://pay.weixin.qq.com/doc')).toBe(true)
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false)
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false)
    // Plain http could be changed by anyone on the way (review I1).
    expect(isSafeExternalUrl('http://pay.weixin.qq.com/doc')).toBe(false)
  })
})
