import type {
  BrowserWindow as BrowserWindowType,
  BrowserWindowConstructorOptions,
  IpcMainInvokeEvent,
  Session,
} from 'electron'
import path from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { openExternalSafely } from './external'

// The one window: isolated, sandboxed, no Node in the page, a strict Content-Security-Policy, and no
// way to navigate elsewhere or open other windows.

export { CONTENT_SECURITY_POLICY }

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'PaySync Desk',
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  }
}

export function applyContentSecurityPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })
  // The app needs no camera, microphone, notifications or other permissions.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
}

/** Keeps the window on our own page: no navigation away, no new windows; http(s) links go to the browser. */
export function lockNavigation(win: BrowserWindowType, appUrl: string): void {
  const wc = win.webContents
  wc.on('will-navigate', (event, url) => {
    if (url !== appUrl) event.preventDefault()
  })
  wc.on('will-redirect', (event, url) => {
    if (url !== appUrl) event.preventDefault()
  })
  wc.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url)
    return { action: 'deny' }
  })
  wc.on('will-attach-webview', (event) => event.preventDefault())
}

/** A call counts only from our window's main frame, showing our own page. */
export function trustedSender(getWindow: () => BrowserWindowType | null, appUrl: string) {
  return (event: IpcMainInvokeEvent): boolean => {
    const win = getWindow()
    if (!win || event.sender !== win.webContents) return false
    const frame = event.senderFrame
    if (!frame || frame !== win.webContents.mainFrame) return false
    return sameDocument(frame.url, appUrl)
  }
}

function sameDocument(url: string, appUrl: string): boolean {
  const strip = (u: string) => u.split('#')[0]!.split('?')[0]!
  return strip(url) === strip(appUrl)
}

export function rendererEntry(dir: string): { file: string; url: string } {
  const file = path.join(dir, '../renderer/index.html')
  return { file, url: `file://${file.replace(/\\/g, '/')}` }
}
