import { fromRawApi, type Api } from '../../../shared/api'
import { httpApi, storedToken } from './http'

/** The one API the screens use: the preload's in the desktop app, HTTP in browser mode. */
export const api: Api = window.paysync ? fromRawApi(window.paysync) : httpApi()

/**
 * Browser mode: lets the browser download a file the server wrote (an export's `downloadPath`). The
 * link carries this tab's token, as the download route asks for it.
 */
export function download(path: string): void {
  const url = new URL(path, location.origin)
  url.searchParams.set('token', storedToken())
  const a = document.createElement('a')
  a.href = url.pathname + url.search
  a.download = decodeURIComponent(url.pathname.split('/').pop() ?? '')
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
