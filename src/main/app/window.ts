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

/** The window's options; `devTools` only where the app is not packaged (review I1). */
export function windowOptions(
  preload: string,
  options: { devTools: boolean },
): BrowserWindowConstructorOptions {
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
      devTools: options.devTools,
    },
  }
}

export function applyContentSecurityPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })
  // The app needs no camera, microphone, notifications or other permissions: asked for, or only
  // checked (a check is what some APIs do instead of asking), the answer is no.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** Keeps the window on our own page: no navigation away, no new windows; https links go to the browser. */
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

/** The built screens in the app's folder (the checkout for `npm start`, the asar archive packaged). */
export function rendererDir(appPath: string): string {
  return path.join(appPath, 'out', 'renderer')
}
