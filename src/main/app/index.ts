/// <reference types="electron-vite/node" />
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
// electron-vite builds the import worker as a file of its own and gives its path (worker-host.ts).
import importWorker from '../files/import/worker?modulePath'
import { fileBackend } from '../services/api-backend'
import type { BooksSwitch } from '../services/books-switch'
import { ServiceContext } from '../services/context'
import { hostOptions, startHost } from '../services/host'
import { loadEveryService } from '../services/index'
import { TeamDesk } from '../services/team-desk'
import { TeamHost } from '../services/team-host'
import { teamBackend } from '../services/team-operations'
import { bookFile, userDataDir } from '../store/paths'
import { BooksDeclined, booksSwitch, chosenBooks, openTeamBooks, type OpenBooks } from './books'
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
let host: { stop(): Promise<void> } | null = null

/** This computer's own books: the file in the data folder, or the one PAYSYNC_DB names. */
async function openFileBooks(books: BooksSwitch): Promise<OpenBooks> {
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
    books,
    importWorker,
  })
  // The first start creates the books; with no merchant of their own yet, the window shows the
  // sandbox (services/sandbox.ts).
  const started = await startHost(ctx, { sandbox: true, schedules: true })
  return { backend: fileBackend(ctx), stop: () => started.stop() }
}

/** A team database (docs/team-mode.md B8.14): the same screens over services/team-host.ts. */
async function openTeam(address: string, books: BooksSwitch): Promise<OpenBooks> {
  // Loaded before the desk opens: a failure here then leaves no pool or schedules running behind it.
  await loadEveryService()
  const desk = await TeamDesk.openHere(address, 'electron')
  const team = new TeamHost(desk, app.getPath('userData'), {
    transport: 'electron',
    dialogs: nativeDialogs(() => win),
    books,
    schedules: true,
  })
  return { backend: teamBackend(team), stop: () => team.close() }
}

async function start(): Promise<void> {
  const books = booksSwitch(app.getPath('userData'))
  const choice = await chosenBooks(books)
  const opened =
    (choice.kind === 'team' && (await openTeamBooks(choice.address, books, (a) => openTeam(a, books)))) ||
    (await openFileBooks(books))
  host = opened

  serveAppProtocol(protocol, rendererDir(app.getAppPath()))
  const appUrl = pageUrl(app.isPackaged)
  applyContentSecurityPolicy(session.defaultSession)
  registerIpc(
    ipcMain,
    opened.backend,
    trustedSender(() => win, appUrl),
  )
  forwardEvents(opened.backend, () => win?.webContents ?? null)

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
    // The person chose to quit in the box that said why the team database would not open.
    if (err instanceof BooksDeclined) return app.quit()
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
