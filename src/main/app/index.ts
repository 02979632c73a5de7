/// <reference types="electron-vite/node" />
import { app, BrowserWindow, ipcMain, session } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
// electron-vite builds the import worker as a file of its own and gives its path (worker-host.ts).
import importWorker from '../files/import/worker?modulePath'
import { ServiceContext } from '../services/context'
import { hostOptions, startHost, type Host } from '../services/host'
import { userDataDir } from '../store/paths'
import { nativeDialogs } from './dialogs'
import { forwardEvents, registerIpc } from './ipc'
import { electronNativeBinding } from './native'
import { keyStoreStatus, safeStorageWrapper } from './secure-storage'
import {
  applyContentSecurityPolicy,
  lockNavigation,
  rendererEntry,
  trustedSender,
  windowOptions,
} from './window'

// Electron main: lifecycle and the window. Everything else is in services and below, shared with the
// command line and browser mode.

const here = path.dirname(fileURLToPath(import.meta.url))
app.setPath('userData', userDataDir())

let win: BrowserWindow | null = null
let host: Host | null = null

async function start(): Promise<void> {
  const dbFile = process.env.PAYSYNC_DB ?? path.join(app.getPath('userData'), 'paysync.db')
  const ctx = new ServiceContext({
    ...hostOptions(),
    dbFile,
    safeStorage: safeStorageWrapper(),
    keyStore: keyStoreStatus(),
    store: { nativeBinding: electronNativeBinding(app.getAppPath(), app.isPackaged) },
    transport: 'electron',
    dialogs: nativeDialogs(() => win),
    importWorker,
  })
  // A first start with no merchant gets the built-in sandbox gateway, so the app works at once.
  host = await startHost(ctx, { sandbox: true, schedules: true })

  const entry = rendererEntry(here)
  const appUrl = process.env.ELECTRON_RENDERER_URL ?? entry.url
  applyContentSecurityPolicy(session.defaultSession)
  registerIpc(
    ipcMain,
    ctx,
    trustedSender(() => win, appUrl),
  )
  forwardEvents(ctx, () => win?.webContents ?? null)

  win = new BrowserWindow(windowOptions(path.join(here, '../preload/index.cjs')))
  lockNavigation(win, appUrl)
  win.once('ready-to-show', () => win?.show())
  win.on('closed', () => (win = null))
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else await win.loadFile(entry.file)
}

app.whenReady().then(start, (err: Error) => {
  console.error(err)
  app.quit()
})

app.on('window-all-closed', () => app.quit())
// Quitting waits for the syncs in flight to be written (a closed database would lose their records
// and leave their leases behind), then quits for real.
let quitting = false
app.on('before-quit', (event) => {
  if (quitting) return
  quitting = true
  event.preventDefault()
  const stopping = host ? host.stop() : Promise.resolve()
  void stopping.catch((err: unknown) => console.error(err)).finally(() => app.quit())
})
