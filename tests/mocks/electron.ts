import { vi } from 'vitest'

// The one fake `electron` for the tests of the Electron layer (src/main/app, src/preload): the only
// module in this code base that cannot run for real under plain Node. As in electron/fiddle's
// tests/mocks, a test file says
//
//   vi.mock('electron', () => import('../mocks/electron'))
//
// and then drives or inspects these same objects by importing them from here. Only what our code
// touches is faked; a new use of electron in src/main/app shows up as a missing export here.

/** What the preload put into the page through contextBridge, by key. */
export const exposed = new Map<string, unknown>()

export const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => void exposed.set(key, api)),
}

export const ipcRenderer = { invoke: vi.fn(), on: vi.fn() }

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) }

/** A working OS key store (GNOME's libsecret) that "encrypts" by prefixing, so a test can read it. */
export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((s: string) => Buffer.from(`enc:${s}`)),
  decryptString: vi.fn((b: Buffer) => b.toString().slice(4)),
}

export const dialog = {
  showOpenDialog: vi.fn(),
  showSaveDialog: vi.fn(),
  showMessageBox: vi.fn(),
  showErrorBox: vi.fn(),
}

// The main process's lifecycle and window, for the start of the app (tests/app/main.test.ts).

/** Listeners the app registered on `app`, by event. */
export const appListeners = new Map<string, (...args: unknown[]) => void>()
const paths = new Map<string, string>()
export const app = {
  isPackaged: false,
  whenReady: vi.fn(() => Promise.resolve()),
  on: vi.fn(
    (event: string, listener: (...args: unknown[]) => void) => void appListeners.set(event, listener),
  ),
  quit: vi.fn(),
  relaunch: vi.fn(),
  setPath: vi.fn((name: string, value: string) => void paths.set(name, value)),
  getPath: vi.fn((name: string) => paths.get(name) ?? ''),
  getAppPath: vi.fn(() => process.cwd()),
}

export const protocol = { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }

export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  },
}

export const ipcMain = { handle: vi.fn() }

/** Every window the app opened, newest last. */
export const windows: BrowserWindow[] = []
export class BrowserWindow {
  readonly webContents = {
    mainFrame: { url: '' },
    on: vi.fn(),
    setWindowOpenHandler: vi.fn(),
    isDestroyed: () => false,
    send: vi.fn(),
  }
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.mainFrame.url = url
  })
  readonly loadFile = vi.fn()
  readonly once = vi.fn()
  readonly on = vi.fn()
  readonly show = vi.fn()
  constructor(readonly options: Record<string, unknown>) {
    windows.push(this)
  }
}
