import { ref } from 'vue'
import { useMessage } from 'naive-ui'
import type { ExportResult, OperationInput } from '../../../shared/contract'
import { formatBeijingCompact } from '../../../shared/time'
import { api, download } from '../bridge'
import { t, type MessageKey } from '../i18n'
import { useApiAction } from './useApiAction'

type ExportInput = OperationInput<'export.run'>
/** What a list asks to export: its kind and filter (or batch); the file is asked for here. */
export type ExportSpec = ExportInput extends infer U ? (U extends unknown ? Omit<U, 'file'> : never) : never
export type ExportKind = ExportInput['kind']

/** 同步记录_20261120.csv */
export function exportFileName(kind: ExportKind, now = Date.now()): string {
  return `${t(`export.file.${kind}` as MessageKey)}_${formatBeijingCompact(now).slice(0, 8)}.csv`
}

/**
 * The export of any list: a save dialog in the desktop app, a download in browser mode, progress
 * from task.progress while main writes, and the row count at the end.
 */
export function useExport() {
  const message = useMessage()
  const attempt = useApiAction()
  const running = ref(false)
  const written = ref(0)

  /**
   * Writes a file main makes (`write`, given the chosen path or none in browser mode): the save
   * dialog first in the desktop app, the download after in browser mode. `done` says what was
   * written; by default, how many rows.
   */
  async function save(
    defaultName: string,
    write: (file: string | undefined) => Promise<ExportResult>,
    done?: (res: ExportResult) => string,
  ): Promise<void> {
    if (running.value) return
    written.value = 0
    await attempt(
      async () => {
        const pick = await api.files.pickSave({ title: t('export.title'), defaultName })
        if (pick.supported && !pick.file) return // the person cancelled the dialog
        const note = message.loading(t('export.running', { n: 0 }), { duration: 0 })
        const off = api.on('task.progress', (p) => {
          if (p.kind !== 'export' || p.finished) return
          written.value = p.done
          note.content = t('export.running', { n: p.done })
        })
        try {
          const res = await write(pick.file ?? undefined)
          if (res.downloadPath) download(res.downloadPath)
          written.value = res.rows
          message.success(
            done
              ? done(res)
              : res.downloadPath
                ? t('export.downloaded', { n: res.rows })
                : t('export.done', { n: res.rows, file: res.file }),
            { duration: 6000 },
          )
        } finally {
          off()
          note.destroy()
        }
      },
      { busy: running },
    )
  }

  async function run(spec: ExportSpec): Promise<void> {
    await save(exportFileName(spec.kind), (file) =>
      api.export.run({ ...spec, ...(file ? { file } : {}) } as ExportInput),
    )
  }

  return { run, save, running, written }
}
