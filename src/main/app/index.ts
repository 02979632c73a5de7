/// <reference types="electron-vite/node" />
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
// electron-vite builds the import worker as a file of its own and gives its path (worker-host.ts).
import importWorker from '../files/import/worker?modulePath'
import { ServiceContext } from '../services/context'
import { hostOptions, startHost, type Host } from '../services/host'
import { bookFile, userDataDir } from '../store/paths'
import { nativeDialogs } from './dialogs'
import { forwardEvents, registerIpc } from './ipc'
import { electronNativeBinding } from './native'
import { APP_SCHEME, pageUrl, serveAppProtocol } from './protocol'
import { keyStoreStatus, safeStorageWrapper } from './secure-storage'
import {
  applyContentSecurityPolicy,
  lockNavigation,
  rendererDir,
  trustedSender,
  windowOptions,
} from './window'

// Electron main: lifecycle and the window. Everything else is in services and below, shared with the
// command line and browser mode.

// What the app creates (the database and its side files, exports, the key file, folders) is this
// user's alone, whatever umask the desktop session started it with (review L5).
process.umask(0o077)
// Before the app is ready, as Electron requires: the page's own scheme (app/protocol.ts).
protocol.registerSchemesAsPrivileged([APP_SCHEME])

const here = path.dirname(fileURLToPath(import.meta.url))
app.setPath('userData', userDataDir())

let win: BrowserWindow | null = null
let host: Host | null = null

async function start(): Promise<void> {
  const named = process.env.PAYSYNC_DB
  const dbFile = named ? bookFile(named, 'PAYSYNC_DB') : path.join(app.getPath('userData'), 'paysync.db')
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
  // The first start creates the books; with no merchant of their own yet, the window shows the
  // sandbox (services/sandbox.ts).
  host = await startHost(ctx, { sandbox: true, schedules: true })

  serveAppProtocol(protocol, rendererDir(app.getAppPath()))
  const appUrl = pageUrl(app.isPackaged)
  applyContentSecurityPolicy(session.defaultSession)
  registerIpc(
    ipcMain,
    ctx,
    trustedSender(() => win, appUrl),
  )
  forwardEvents(ctx, () => win?.webContents ?? null)

  win = new BrowserWindow(
    windowOptions(path.join(here, '../preload/index.cjs'), { devTools: !app.isPackaged }),
  )
  lockNavigation(win, appUrl)
  win.once('ready-to-show', () => win?.show())
  win.on('closed', () => (win = null))
  await win.loadURL(appUrl)
}

app
  .whenReady()
  .then(start)
  .catch((err: unknown) => {
    console.error(err)
    // Started from a shortcut, nobody reads the console: the reason is said before the app goes.
    dialog.showErrorBox('PaySync Desk', err instanceof Error ? err.message : String(err))
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
