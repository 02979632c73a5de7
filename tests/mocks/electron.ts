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

export const dialog = { showOpenDialog: vi.fn(), showSaveDialog: vi.fn(), showMessageBox: vi.fn() }
