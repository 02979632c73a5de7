import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// The desktop app on a team database (docs/team-mode.md B8.14), with the mocked `electron` module and a
// real PostgreSQL: 设置 → 团队数据库 → 在此团队数据库上工作 keeps the choice sealed by the key store and
// starts the app again; the next start opens the team database, whose window reads the team's books,
// saves an export where the save dialog said, and leads back to this computer's file.

vi.mock('electron', () => import('../mocks/electron'))

type Electron = typeof import('../mocks/electron')
type Reply = { ok: boolean; value?: unknown; error?: { code: string; message: string; id?: string } }

const TEAM = 'Team-Pass for 2026!'
const saved = { ...process.env }

/** index.ts loaded afresh on a fresh mocked electron, up to its window. */
async function startApp(): Promise<Electron> {
  vi.resetModules()
  const electron = (await import('electron')) as unknown as Electron
  electron.windows.length = 0
  electron.appListeners.clear()
  vi.clearAllMocks()
  await import('../../src/main/app/index')
  await vi.waitFor(() => expect(electron.windows[0]?.loadURL).toHaveBeenCalled(), {
    timeout: 60_000,
    interval: 50,
  })
  return electron
}

/** The operation as the window calls it, from the page's own address. */
function call(electron: Electron, name: string, input: unknown = {}): Promise<Reply> {
  const found = electron.ipcMain.handle.mock.calls.find(([channel]) => channel === `paysync:${name}`)
  if (!found) throw new Error(`no IPC handler for ${name}`)
  const wc = electron.windows[0]!.webContents
  // The page the app loaded, at 设置.
  const loaded = electron.windows[0]!.loadURL.mock.calls[0]![0] as string
  const frame = { url: `${loaded.split('#')[0]}#/settings` }
  wc.mainFrame = frame
  const handler = found[1] as (event: unknown, input: unknown) => Promise<Reply>
  return handler({ sender: wc, senderFrame: frame }, input)
}

async function quit(electron: Electron): Promise<void> {
  electron.appListeners.get('before-quit')!({ preventDefault: vi.fn() })
  await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalled(), { timeout: 30_000 })
}

describe.skipIf(pgMissing())('the desktop app on a team database', () => {
  let world: World
  let url: string
  const home = tempDir('paysync-app-team-')
  const choiceFile = path.join(home, 'PaySync Desk', 'books.json')

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    for (const orderNo of ['APP-1', 'APP-2', 'APP-3'])
      world.payOrder({ merchant: 'ali', orderNo, amount: 1200 })
    url = await freshDatabase('paysync_app')
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
  })

  afterAll(async () => {
    await world?.close()
  })

  afterEach(() => {
    process.env = { ...saved }
  })

  it('is chosen in 设置, opened at the next start, works there, and leads back to the file', async () => {
    Object.assign(process.env, {
      XDG_CONFIG_HOME: home,
      PAYSYNC_PASSPHRASE: TEAM,
      PAYSYNC_OPERATOR: 'amy',
      PAYSYNC_DB: '',
    })
    // Unreachable and empty are refused with their reasons, nothing kept.
    let electron = await startApp()
    try {
      const nowhere = await call(electron, 'teamDb.use', { address: 'postgres://amy:pw@127.0.0.1:9/team' })
      expect(nowhere).toMatchObject({ ok: false, error: { id: 'teamDb.unreachable' } })
      const empty = await call(electron, 'teamDb.use', { address: await freshDatabase('paysync_app_empty') })
      expect(empty).toMatchObject({ ok: false, error: { id: 'teamDb.emptyFirst' } })
      expect(fs.existsSync(choiceFile)).toBe(false)
      expect(electron.app.relaunch).not.toHaveBeenCalled()

      // A database with the books: kept sealed by the key store, and the app starts again.
      const used = await call(electron, 'teamDb.use', { address: url })
      expect(used).toMatchObject({ ok: true, value: { restarting: true } })
      await vi.waitFor(() => expect(electron.app.relaunch).toHaveBeenCalledTimes(1), { timeout: 5_000 })
      expect(electron.safeStorage.encryptString).toHaveBeenCalled()
      const kept = fs.readFileSync(choiceFile, 'utf8')
      expect(kept).not.toContain(url)
      expect(kept).not.toContain('127.0.0.1')
      expect(fs.statSync(choiceFile).mode & 0o777).toBe(0o600)
    } finally {
      await quit(electron)
    }

    // The next start opens the team database.
    electron = await startApp()
    try {
      const info = await call(electron, 'app.info')
      expect(info).toMatchObject({ ok: true, value: { transport: 'electron' } })
      expect((info.value as { team: string }).team).toMatch(/:\d+\/paysync_app/)
      const orders = await call(electron, 'orders.list', { merchant: 'ali', limit: 10, offset: 0 })
      expect(orders).toMatchObject({ ok: true, value: { total: 3 } })

      // An export where the save dialog said, with the team's rows.
      const out = path.join(tempDir('paysync-app-team-out-'), '订单.csv')
      electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: out })
      const picked = await call(electron, 'files.pickSave', { title: '导出', defaultName: '订单.csv' })
      expect(picked).toMatchObject({ ok: true, value: { supported: true } })
      const handle = (picked.value as { file: string }).file
      const exported = await call(electron, 'export.run', {
        kind: 'orders',
        filter: { merchant: 'ali' },
        file: handle,
      })
      expect(exported).toMatchObject({ ok: true, value: { file: out, rows: 3, downloadPath: null } })
      const csv = fs.readFileSync(out, 'utf8')
      for (const no of ['APP-1', 'APP-2', 'APP-3']) expect(csv).toContain(no)

      // Back to this computer's file: the choice goes, and the app starts again.
      expect(await call(electron, 'teamDb.leave')).toMatchObject({ ok: true, value: { books: 'file' } })
      await vi.waitFor(() => expect(electron.app.relaunch).toHaveBeenCalledTimes(1), { timeout: 5_000 })
      expect(JSON.parse(fs.readFileSync(choiceFile, 'utf8'))).toEqual({})
    } finally {
      await quit(electron)
    }
  }, 180_000)
})
