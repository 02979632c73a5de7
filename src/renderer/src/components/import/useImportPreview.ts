import { computed, reactive, ref } from 'vue'
import { useMessage } from 'naive-ui'
import type { ImportPreview } from '../../../../shared/contract'
import type { ImportSummary, TradeType } from '../../../../shared/domain'
import type { ColumnMappingInput } from '../../../../shared/mapping'
import { api } from '../../bridge'
import { label, t } from '../../i18n'
import { useApiAction } from '../../composables/useApiAction'
import { useAppStore } from '../../stores/app'
import { deleteMapping, matchingMapping, saveMapping, savedMappings } from './saved-mappings'

// The import panel's state machine. A file is chosen (native dialog, or uploaded in browser mode; the
// page holds main's handle for it, never a path), previewed with the mapping main recognises (every
// row checked, nothing written), the mapping is edited or a saved one applied and previewed again,
// then the file is imported and its batch started. The start waits for a preview of the mapping as
// it stands: `dirty` says one is due.

/** The columns the person maps: header -> field, or null to ignore the column. */
export type ColumnChoice = Record<string, string | null>

/** How many sample rows the preview shows. */
const PREVIEW_ROWS = 20

function readBase64(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''))
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(f)
  })
}

export function useImportPreview() {
  const app = useAppStore()
  const message = useMessage()
  const attempt = useApiAction()

  const file = ref<string | null>(null)
  const fileName = ref('')
  const type = ref<TradeType>('pay')
  const merchant = ref<string | null>(null)
  const preview = ref<ImportPreview | null>(null)
  /** Header -> field, as the person set it (starts as the recognised mapping). */
  const columns = ref<ColumnChoice>({})
  /** The mapping changed since the last preview: it must be previewed before the start. */
  const dirty = ref(false)
  const previewing = ref(false)
  const uploading = ref(false)
  const starting = ref(false)
  /** A saved mapping that names exactly this file's headers, offered when the file is chosen. */
  const suggested = ref<string | null>(null)
  const chosenMapping = ref<string | null>(null)
  const mappingName = ref('')
  /** The batch the start begins: named after the file, at the speed of 设置 until changed here. */
  const batch = reactive({
    name: '',
    concurrency: app.settings.defaultConcurrency,
    qps: app.settings.defaultQps,
  })
  const result = ref<ImportSummary | null>(null)

  const canStart = computed(
    () => preview.value !== null && preview.value.missing.length === 0 && !dirty.value && !previewing.value,
  )
  const missingText = computed(() =>
    (preview.value?.missing ?? [])
      .map((m) => (m === 'amount' ? t('import.amount') : label('importField', m)))
      .join('、'),
  )
  const resultText = computed(() =>
    result.value
      ? t('import.result', {
          inserted: result.value.inserted,
          updated: result.value.updated,
          unchanged: result.value.unchanged,
          rejected: result.value.rejected,
        })
      : '',
  )
  const savedOptions = computed(() =>
    Object.entries(savedMappings.value).map(([name, m]) => ({
      label: `${name} (${m.type === 'pay' ? t('import.payList') : t('import.refundList')})`,
      value: name,
    })),
  )

  /** The native open dialog; where there is none (browser mode), `pickInPage` lets the page pick. */
  async function choose(pickInPage: () => void): Promise<void> {
    await attempt(async () => {
      const pick = await api.files.pickOpen({
        title: t('import.chooseTitle'),
        filters: [{ name: 'CSV / Excel', extensions: ['csv', 'xlsx', 'txt', 'tsv'] }],
      })
      if (!pick.supported) return pickInPage()
      if (pick.file) await takeFile(pick.file, pick.name ?? '')
    })
  }

  /** Browser mode: the bytes go up with files.upload, and the upload's id names the file from then on. */
  async function upload(f: File): Promise<void> {
    await attempt(
      async () => {
        const up = await api.files.upload({ name: f.name, contentBase64: await readBase64(f) })
        await takeFile(up.file, up.name)
      },
      { busy: uploading },
    )
  }

  /** `handle`: what main answered for the chosen file (never a path); `name`: what the person sees. */
  async function takeFile(handle: string, name: string): Promise<void> {
    file.value = handle
    fileName.value = name
    batch.name = name
    columns.value = {}
    dirty.value = false
    chosenMapping.value = null
    result.value = null
    await runPreview(false)
  }

  function mappingInput(): ColumnMappingInput {
    // Each field is one the preview or a saved mapping named; main checks the mapping again.
    return { columns: { ...columns.value } as ColumnMappingInput['columns'], defaults: {} }
  }

  /** Without a mapping main recognises the headers itself; with one, the person's choice is checked. */
  async function runPreview(withMapping = true): Promise<void> {
    const handle = file.value
    if (!handle) return
    const p = await attempt(
      () =>
        api.imports.preview({
          file: handle,
          type: type.value,
          merchant: merchant.value ?? undefined,
          mapping: withMapping && Object.keys(columns.value).length ? mappingInput() : undefined,
          rows: PREVIEW_ROWS,
        }),
      { busy: previewing, onError: () => (preview.value = null) },
    )
    if (!p) return
    preview.value = p
    columns.value = Object.fromEntries(
      p.columns.filter((c) => c.header.trim()).map((c) => [c.header, c.field]),
    )
    dirty.value = false
    if (!withMapping) suggested.value = matchingMapping(p.headers, type.value)
  }

  function setField(header: string, field: string | null): void {
    columns.value = { ...columns.value, [header]: field }
    dirty.value = true
  }

  async function applySaved(name: string | null): Promise<void> {
    chosenMapping.value = name
    if (!name) return
    const m = savedMappings.value[name]
    if (!m) return
    type.value = m.type
    columns.value = { ...m.columns }
    mappingName.value = name
    await runPreview(true)
  }

  function saveAs(): void {
    const name = mappingName.value.trim()
    if (!name) {
      message.warning(t('import.nameTheMapping'))
      return
    }
    saveMapping(name, { type: type.value, columns: { ...columns.value } })
    chosenMapping.value = name
    message.success(t('import.mappingSaved', { name }))
  }

  function forgetChosen(): void {
    if (chosenMapping.value) deleteMapping(chosenMapping.value)
    chosenMapping.value = null
  }

  /** Imports the file as previewed and starts its batch: the summary when a batch started. */
  async function start(): Promise<ImportSummary | undefined> {
    const handle = file.value
    if (!handle || !canStart.value) return undefined
    const summary = await attempt(
      () =>
        api.imports.run({
          file: handle,
          type: type.value,
          merchant: merchant.value ?? undefined,
          mapping: mappingInput(),
          sync: { concurrency: batch.concurrency, qps: batch.qps, name: batch.name.trim() || undefined },
        }),
      { busy: starting },
    )
    if (!summary) return undefined
    result.value = summary
    // The file is in: the preview has done its job, the batch card takes over.
    preview.value = null
    if (!summary.batchId) {
      message.warning(t('import.nothingToSync'))
      return undefined
    }
    message.success(
      t('import.startedBatch', {
        n: summary.batchTotal ?? summary.rows - summary.rejected,
        id: summary.batchId,
      }),
    )
    return summary
  }

  return {
    file,
    fileName,
    type,
    merchant,
    preview,
    columns,
    dirty,
    previewing,
    uploading,
    starting,
    suggested,
    chosenMapping,
    mappingName,
    batch,
    result,
    canStart,
    missingText,
    resultText,
    savedOptions,
    choose,
    upload,
    runPreview,
    setField,
    applySaved,
    saveAs,
    forgetChosen,
    start,
  }
}
