import path from 'node:path'
import type { ExportResult } from '../../shared/contract'
import { formatBeijingCompact } from '../../shared/time'
import { createBeside } from '../files/export/atomic-file'
import { downloadPathOf, dropExport, newExportFile, sweepExports, type FilesHost } from './downloads'
import type { FileHandles } from './file-handles'

// Where a file made for the person goes: an export, the rows an import refused, a template, a saved
// column mapping. One rule for all of them (docs/cli.md section 1.6): the window writes where its save
// dialog's handle says, with the dialog's consent to replace; browser mode, and a request without a
// handle, into a new folder of the exports folder under a name main chooses, downloaded from there.

/** A file name that says what it holds and when: 同步记录_20261120_101500.csv. */
export function stampedName(what: string, now: number, ext = '.csv'): string {
  return `${what}_${formatBeijingCompact(now).replace(/^(\d{8})/, '$1_')}${ext}`
}

export interface ExportTarget {
  /** Where main writes. */
  file: string
  /** Whether a file already there may go: only with the save dialog's consent. */
  replace: boolean
  /** Written: what the page learns (a name and a download in browser mode, never a folder of ours). */
  done(): { file: string; downloadPath: string | null }
  /** Not written: nothing of it is left behind. */
  failed(): void
}

/** Where a host writes: its folders, the handles of what its dialogs chose, and whether it only downloads. */
export interface TargetHost extends FilesHost {
  handles: FileHandles
  /** Browser mode: whatever the page names, the file is written into the exports folder and downloaded. */
  readonly downloadsOnly: boolean
}

export function exportTarget(ctx: TargetHost, handle: string | undefined, defaultName: string): ExportTarget {
  if (handle === undefined || ctx.downloadsOnly) {
    const download = newExportFile(ctx, defaultName)
    return {
      file: download.file,
      replace: false,
      done() {
        sweepExports(ctx, download.id)
        const name = path.basename(download.file)
        return { file: name, downloadPath: downloadPathOf(download.id, name) }
      },
      failed: () => dropExport(ctx, download.id),
    }
  }
  const chosen = ctx.handles.writable(handle)
  return {
    file: chosen.path,
    replace: chosen.replace,
    done() {
      ctx.handles.release(handle)
      return { file: chosen.path, downloadPath: null }
    },
    failed: () => undefined,
  }
}

/** A small file (a template, a mapping) written whole to its target, the way an export is. */
export async function writeSmallFile(
  target: ExportTarget,
  text: string,
  rows: number,
): Promise<ExportResult> {
  const pending = createBeside(target.file, { replace: target.replace })
  try {
    pending.stream.write(text)
    await pending.commit()
  } catch (err) {
    await pending.discard()
    target.failed()
    throw err
  }
  return { ...target.done(), rows, bytes: Buffer.byteLength(text) }
}
