import { fromRawApi, type Api } from '../../../shared/api'
import { httpApi } from './http'

/** The one API the screens use: the preload's in the desktop app, HTTP in browser mode. */
export const api: Api = window.paysync ? fromRawApi(window.paysync) : httpApi()

/**
 * Browser mode: lets the browser download a file the server wrote (an export's `downloadPath`,
 * `/downloads/<id>/<name>`). The browser's session cookie goes with it; the address holds no token.
 */
export function download(path: string): void {
  const url = new URL(path, location.origin)
  const a = document.createElement('a')
  a.href = url.pathname
  a.download = decodeURIComponent(url.pathname.split('/').pop() ?? '')
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
