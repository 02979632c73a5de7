import { dialog, type BrowserWindow } from 'electron'
import type { NativeDialogs } from '../services/context'

/** The desktop app's open and save dialogs, parented to the window so they stay in front of it. */
export function nativeDialogs(getWindow: () => BrowserWindow | null): NativeDialogs {
  return {
    async open(o) {
      const win = getWindow()
      const options = { title: o.title, filters: o.filters, properties: ['openFile' as const] }
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    async save(o) {
      const win = getWindow()
      const options = {
        title: o.title,
        defaultPath: o.defaultName,
        filters: [{ name: 'CSV', extensions: ['csv'] }],
      }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled ? null : (r.filePath ?? null)
    },
  }
}
