import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OPERATION_NAMES } from '../../src/shared/api'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'
import { ServiceContext } from '../../src/main/services/context'
import { addMerchant } from '../../src/main/services/merchants'
import { startSimulator } from '../../src/main/gateways/simulator/server'
import { sandboxDir } from '../../src/main/services/sandbox'
import { tempDir } from '../helpers/world'

// The desktop app's start (src/main/app/index.ts) with the mocked `electron`, as `npm start` runs it
// up to the window (review I1 and L5): the page from app://, never the dev server's address in a
// packaged app, DevTools only unpackaged, permissions denied when asked and when checked, every IPC
// call checked against the page's own address, a basic_text key store refused in favour of a
// passphrase, and the books this user's alone.

vi.mock('electron', () => import('../mocks/electron'))

type Electron = typeof import('../mocks/electron')
type Reply = { ok: boolean; value?: unknown; error?: { code: string; message: string; id?: string } }

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})

/** index.ts, loaded afresh with a fresh mocked electron, started up to its window. */
async function startApp(setup: (electron: Electron) => void): Promise<Electron> {
  vi.resetModules()
  // The module the app will import, mocked: whether Vitest keeps the mock across the reset or not.
  const electron = (await import('electron')) as unknown as Electron
  electron.windows.length = 0
  electron.appListeners.clear()
  vi.clearAllMocks()
  setup(electron)
  await import('../../src/main/app/index')
  await vi.waitFor(() => expect(electron.windows[0]?.loadURL).toHaveBeenCalled(), {
    timeout: 60_000,
    interval: 50,
  })
  return electron
}

function ipc(electron: Electron, name: string): (event: unknown, input: unknown) => Promise<Reply> {
  const call = electron.ipcMain.handle.mock.calls.find(([channel]) => channel === `paysync:${name}`)
  if (!call) throw new Error(`no IPC handler for ${name}`)
  return call[1] as (event: unknown, input: unknown) => Promise<Reply>
}

/** A call from the window's main frame showing `url`. */
function from(electron: Electron, url: string) {
  const wc = electron.windows[0]!.webContents
  const frame = { url }
  wc.mainFrame = frame
  return { sender: wc, senderFrame: frame }
}

async function quit(electron: Electron): Promise<void> {
  electron.appListeners.get('before-quit')!({ preventDefault: vi.fn() })
  await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled(), { timeout: 30_000 })
}

const mode = (file: string) => fs.statSync(file).mode & 0o777

describe('the desktop app, packaged, on a first start', () => {
  it('loads app://, not a dev server named in its environment, and keeps the books private', async () => {
    const dir = tempDir()
    const db = path.join(dir, 'data', 'paysync.db')
    const renderer = path.join(dir, 'out', 'renderer')
    fs.mkdirSync(renderer, { recursive: true })
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>PaySync Desk</title>')
    process.env.PAYSYNC_DB = db
    // Someone's environment points the app at a page of theirs: a packaged app never honours it.
    Object.assign(process.env, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' })
    const electron = await startApp((e) => {
      e.app.isPackaged = true
      e.app.getAppPath.mockReturnValue(dir)
    })
    try {
      const win = electron.windows[0]!
      expect(win.loadURL).toHaveBeenCalledWith('app://paysync/index.html')
      expect(win.loadFile).not.toHaveBeenCalled()
      expect(win.options.webPreferences).toMatchObject({
        devTools: false,
        sandbox: true,
        contextIsolation: true,
      })

      // The scheme was made privileged before the app was ready, and serves the screens.
      expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
        { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
      ])
      expect(electron.protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]).toBeLessThan(
        electron.app.whenReady.mock.invocationCallOrder[0]!,
      )
      const [scheme, handler] = electron.protocol.handle.mock.calls[0] as [
        string,
        (r: Request) => Promise<Response>,
      ]
      expect(scheme).toBe('app')
      const page = await handler(new Request('app://paysync/index.html'))
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)

      // Permissions: none asked for or checked is granted.
      const check = electron.session.defaultSession.setPermissionCheckHandler.mock
        .calls[0]![0] as () => boolean
      expect(check()).toBe(false)
      const request = electron.session.defaultSession.setPermissionRequestHandler.mock.calls[0]![0] as (
        wc: unknown,
        p: string,
        cb: (ok: boolean) => void,
      ) => void
      const answered = vi.fn()
      request(null, 'media', answered)
      expect(answered).toHaveBeenCalledWith(false)

      // IPC: every operation, answered for our page only; the dev server's page is a stranger here.
      const channels = electron.ipcMain.handle.mock.calls.map(([c]) => c)
      expect(channels.sort()).toEqual(OPERATION_NAMES.map((n) => `paysync:${n}`).sort())
      const info = await ipc(electron, 'app.info')(from(electron, 'app://paysync/index.html#/overview'), {})
      expect(info).toMatchObject({ ok: true, value: { dbFile: db, sandbox: { running: true } } })
      for (const url of ['http://127.0.0.1:5173/', 'file:///tmp/index.html', 'app://other/index.html'])
        expect(await ipc(electron, 'app.info')(from(electron, url), {})).toMatchObject({
          ok: false,
          error: { code: 'forbidden' },
        })

      // The first start created the books: 0600, with their side files, in a folder of 0700; and
      // whatever else this process creates is private too (umask 077).
      for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(mode(file), file).toBe(0o600)
      expect(mode(path.dirname(db))).toBe(0o700)
      expect(mode(sandboxDir(db))).toBe(0o700)
      fs.writeFileSync(path.join(dir, 'any-file'), 'x')
      expect(mode(path.join(dir, 'any-file'))).toBe(0o600)
    } finally {
      await quit(electron)
    }
    expect(fs.existsSync(sandboxDir(db))).toBe(false)
  }, 90_000)
})

describe('the desktop app while developing', () => {
  it('loads the dev server and has DevTools; without a real key store it asks for a passphrase', async () => {
    const dir = tempDir()
    const db = path.join(dir, 'paysync.db')
    // Books with a merchant of their own, kept under a passphrase (no sandbox at this start).
    const sim = await startSimulator({
      scenario: { merchants: [{ name: 'shop', channel: 'alipay' }], orders: [], refunds: [] },
    })
    const before = new ServiceContext({ dbFile: db, transport: 'cli', passphrase: 'correct horse' })
    await addMerchant(before, sim.profiles()[0]!)
    await before.close()

    process.env.PAYSYNC_DB = db
    Object.assign(process.env, { ELECTRON_RENDERER_URL: 'http://localhost:5173/' })
    delete process.env.PAYSYNC_PASSPHRASE
    const electron = await startApp((e) => {
      e.app.isPackaged = false
      e.app.getAppPath.mockReturnValue(dir)
      // Linux without a keyring: Electron's basic_text, which protects nothing.
      e.safeStorage.getSelectedStorageBackend.mockReturnValue('basic_text')
    })
    try {
      const win = electron.windows[0]!
      expect(win.loadURL).toHaveBeenCalledWith('http://localhost:5173/')
      expect(win.options.webPreferences).toMatchObject({ devTools: true })
      const ours = () => from(electron, 'http://localhost:5173/#/merchants')

      const info = await ipc(electron, 'app.info')(ours(), {})
      expect(info.value).toMatchObject({
        keyStore: { backend: 'basic_text', secure: false, schemes: ['passphrase'], needsPassphrase: true },
      })
      // Nothing that needs the secrets works until the person gives the passphrase.
      const listed = await ipc(electron, 'merchants.list')(ours(), {})
      const { id } = (listed.value as Array<{ id: number }>)[0]!
      const test = await ipc(electron, 'merchants.test')(ours(), { id })
      expect(test).toMatchObject({ ok: true, value: { ok: false, id: 'secrets.passphraseNeeded' } })
      const headless = await ipc(electron, 'keys.setHeadless')(ours(), { enabled: true })
      expect(headless).toMatchObject({
        ok: false,
        error: { code: 'secrets_locked', id: 'secrets.passphraseNeeded' },
      })
      const wrong = await ipc(electron, 'keys.unlock')(ours(), { passphrase: 'wrong horse' })
      expect(wrong).toMatchObject({ ok: false, error: { id: 'secrets.wrongPassphrase' } })
      const right = await ipc(electron, 'keys.unlock')(ours(), { passphrase: 'correct horse' })
      expect(right).toMatchObject({ ok: true, value: { needsPassphrase: false, schemes: ['passphrase'] } })
      const tested = await ipc(electron, 'merchants.test')(ours(), { id })
      expect(tested).toMatchObject({ ok: true, value: { ok: true } })
      // basic_text wrapped nothing, and no key file appeared beside the books.
      expect(fs.existsSync(path.join(dir, 'paysync.key'))).toBe(false)
      expect(electron.safeStorage.encryptString).not.toHaveBeenCalled()
    } finally {
      await quit(electron)
      await sim.close()
    }
  }, 90_000)
})

describe('the desktop app pointed at a team database it cannot open', () => {
  it('says why in a box, Chinese first, without the password; tries again; quits when asked', async () => {
    // Nothing listens on the discard port: refused at once.
    process.env.PAYSYNC_DB = 'postgres://finance:s3cret@127.0.0.1:9/team'
    vi.resetModules()
    const electron = (await import('electron')) as unknown as Electron
    electron.windows.length = 0
    electron.appListeners.clear()
    vi.clearAllMocks()
    // Try again once, then quit (PAYSYNC_DB chose the books: this computer's file is not offered).
    electron.dialog.showMessageBox
      .mockResolvedValueOnce({ response: 0 })
      .mockResolvedValueOnce({ response: 1 })
    await import('../../src/main/app/index')
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled(), { timeout: 30_000 })
    expect(electron.windows).toHaveLength(0)
    expect(electron.dialog.showErrorBox).not.toHaveBeenCalled()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledTimes(2)
    const [box] = electron.dialog.showMessageBox.mock.calls[1] as [
      { message: string; detail: string; buttons: string[] },
    ]
    expect(box.message).toContain('无法打开团队数据库 postgres://finance:***@127.0.0.1:9/team')
    expect(box.detail).toContain(
      'The team database postgres://finance:***@127.0.0.1:9/team could not be opened',
    )
    expect(box.detail).toContain('no PostgreSQL answers at 127.0.0.1:9')
    expect(box.buttons).toEqual(['重试 Try again', '退出 Quit'])
    expect(JSON.stringify(electron.dialog.showMessageBox.mock.calls)).not.toContain('s3cret')
  }, 60_000)
})
