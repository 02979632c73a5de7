import { dialog, type BrowserWindow } from 'electron'
import type { NativeDialogs } from '../services/context-options'

/**
 * The desktop app's open, save and question dialogs, parented to the window so they stay in front of
 * it. They are the operating system's: the page can ask for one, never answer it.
 */
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
        // Windows and macOS always ask before replacing a file; GTK only when told. An export
        // replaces a file only when the dialog asked (services/dialogs.ts).
        properties: ['showOverwriteConfirmation' as const],
      }
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return r.canceled ? null : (r.filePath ?? null)
    },
    async confirm(o) {
      const win = getWindow()
      const options = {
        type: 'warning' as const,
        title: o.title,
        message: o.message,
        detail: o.detail,
        buttons: [o.no, o.yes],
        // Enter and Escape both decline: agreeing takes a deliberate click.
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      }
      const r = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options)
      return r.response === 1
    },
  }
}
