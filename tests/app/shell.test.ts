import { createRequire } from 'node:module'
import { describe, expect, it, vi } from 'vitest'
import * as electron from '../mocks/electron'

// The rest of the Electron layer, with a mocked `electron` module: what the key store tells the
// screens, the native dialogs, and the installer configuration electron-builder will read.

vi.mock('electron', () => import('../mocks/electron'))

const { keyStoreStatus, safeStorageWrapper } = await import('../../src/main/app/secure-storage')
const { nativeDialogs } = await import('../../src/main/app/dialogs')

describe('the key store the app reports', () => {
  it('is secure with a real keyring, and wraps secrets through it', async () => {
    if (process.platform === 'linux')
      expect(keyStoreStatus()).toEqual({ backend: 'gnome_libsecret', secure: true })
    const w = safeStorageWrapper()!
    const wrapped = await w.wrap(Buffer.from([1, 2, 3]))
    expect(Buffer.from(await w.unwrap(wrapped))).toEqual(Buffer.from([1, 2, 3]))
  })

  it.skipIf(process.platform !== 'linux')('says so when Linux falls back to basic_text', () => {
    electron.safeStorage.getSelectedStorageBackend.mockReturnValueOnce('basic_text')
    expect(keyStoreStatus()).toEqual({ backend: 'basic_text', secure: false })
  })

  it('offers no wrapper when encryption is unavailable, so the key file protects the secrets', () => {
    electron.safeStorage.isEncryptionAvailable.mockReturnValueOnce(false)
    expect(safeStorageWrapper()).toBeUndefined()
  })
})

describe('the native dialogs', () => {
  const win = { id: 1 }
  const dialogs = nativeDialogs(() => win as never)

  it('open a file parented to the window, and a cancel is null', async () => {
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/订单.csv'] })
    const filters = [{ name: 'CSV', extensions: ['csv'] }]
    expect(await dialogs.open({ title: '选择文件', filters })).toBe('/tmp/订单.csv')
    expect(electron.dialog.showOpenDialog).toHaveBeenLastCalledWith(win, {
      title: '选择文件',
      filters,
      properties: ['openFile'],
    })
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] })
    expect(await dialogs.open({ filters })).toBeNull()
  })

  it('save a CSV under the suggested name, and a cancel is null', async () => {
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/tmp/同步记录.csv' })
    expect(await dialogs.save({ defaultName: '同步记录.csv' })).toBe('/tmp/同步记录.csv')
    expect(electron.dialog.showSaveDialog).toHaveBeenLastCalledWith(win, {
      title: undefined,
      defaultPath: '同步记录.csv',
      filters: [{ name: 'CSV', extensions: ['csv'] }],
      // GTK asks before replacing a file only when told; an export replaces one only after it asked.
      properties: ['showOverwriteConfirmation'],
    })
    electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true })
    expect(await dialogs.save({})).toBeNull()
  })

  it('ask a question the page cannot answer: yes only by the deliberate button, Enter and Escape say no', async () => {
    const question = { title: 'T', message: 'M', detail: 'D', yes: '允许', no: '取消' }
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false })
    expect(await dialogs.confirm(question)).toBe(true)
    expect(electron.dialog.showMessageBox).toHaveBeenLastCalledWith(win, {
      type: 'warning',
      title: 'T',
      message: 'M',
      detail: 'D',
      buttons: ['取消', '允许'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    })
    electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0, checkboxChecked: false })
    expect(await dialogs.confirm(question)).toBe(false)
  })
})

describe('the installers', () => {
  // electron-builder's own loader and schema check, as `npm run dist:*` runs them.
  const require = createRequire(import.meta.url)
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string | null, extra: unknown): Promise<Record<string, unknown>>
    validateConfiguration(c: unknown, logger: unknown): Promise<void>
  }
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown }

  it('build NSIS, dmg and AppImage from a configuration electron-builder accepts', async () => {
    const config = await getConfig(process.cwd(), null, null)
    await validateConfiguration(config, new DebugLogger(false))
    expect(config).toMatchObject({
      appId: 'com.paysync.desk',
      win: { target: [{ target: 'nsis' }] },
      mac: { target: [{ target: 'dmg' }] },
      linux: { target: [{ target: 'AppImage' }] },
    })
    // The native SQLite module must sit outside the asar archive to load.
    expect(config.asarUnpack).toContain('**/*.node')
    await expect(
      validateConfiguration({ ...config, nsis: { oneClik: false } }, new DebugLogger(false)),
    ).rejects.toThrow()
  })
})
