import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { useMessage } from 'naive-ui'
import type { ImportPreview } from '../../../../shared/contract'
import type { TradeType } from '../../../../shared/domain'
import type { AmountUnit, ImportSummary } from '../../../../shared/import-report'
import type { ColumnMappingInput } from '../../../../shared/mapping'
import { api } from '../../bridge'
import { label, t } from '../../i18n'
import { readBase64 } from '../../read-file'
import { useApiAction } from '../../composables/useApiAction'
import { useExport } from '../../composables/useExport'
import { useAppStore } from '../../stores/app'
import { deleteMapping, loadMappings, matchingMapping, saveMapping, savedMappings } from './saved-mappings'

// The import panel's state machine. A file is chosen (native dialog, or uploaded in browser mode; the
// page holds main's handle for it, never a path), previewed with the mapping main recognises (every
// row checked, nothing written), the mapping is edited or a saved one applied and previewed again,
// then the file is imported and its batch started. The start waits for a preview of the mapping as
// it stands: `dirty` says one is due, and for the person to say the unit of an amount column whose
// unit nothing states (issue 14 item 6).

/** The columns the person maps: header -> field, or null to ignore the column. */
export type ColumnChoice = Record<string, string | null>

/** How many sample rows the preview shows. */
const PREVIEW_ROWS = 20

const FEN_FIELD: Record<string, string> = {
  amountYuan: 'amountFen',
  amountFen: 'amountFen',
  refundAmountYuan: 'refundAmountFen',
  refundAmountFen: 'refundAmountFen',
}
const YUAN_FIELD: Record<string, string> = {
  amountYuan: 'amountYuan',
  amountFen: 'amountYuan',
  refundAmountYuan: 'refundAmountYuan',
  refundAmountFen: 'refundAmountYuan',
}

/** The field of an amount column in a unit: 金额(元) <-> 金额(分). */
export function fieldInUnit(field: string, unit: AmountUnit): string {
  return (unit === 'fen' ? FEN_FIELD : YUAN_FIELD)[field] ?? field
}

/** A task id for an import's progress and cancel: random, made in the page. */
function newTaskId(): string {
  const bytes = new Uint8Array(12)
  crypto.getRandomValues(bytes)
  return `import-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

export function useImportPreview() {
  const app = useAppStore()
  const message = useMessage()
  const attempt = useApiAction()
  const files = useExport()

  const file = ref<string | null>(null)
  const fileName = ref('')
  const type = ref<TradeType>('pay')
  const merchant = ref<string | null>(null)
  const preview = ref<ImportPreview | null>(null)
  /** Header -> field, as the person set it (starts as the recognised mapping). */
  const columns = ref<ColumnChoice>({})
  /** Amount columns whose unit the person said (in the mapping or the preview's question). */
  const unitsSaid = ref(new Set<string>())
  /** The mapping changed since the last preview: it must be previewed before the start. */
  const dirty = ref(false)
  const previewing = ref(false)
  const uploading = ref(false)
  const starting = ref(false)
  /** The import or preview in flight, for its progress and its cancel. */
  const task = ref<string | null>(null)
  const taskRows = ref(0)
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

  const off = api.on('task.progress', (p) => {
    if (p.taskId === task.value && !p.finished) taskRows.value = p.done
  })
  onBeforeUnmount(off)
  void loadMappings().catch(() => undefined)

  /** Amount columns whose unit only a person can tell: every value whole, no unit in the header. */
  const unitQuestions = computed(() => (preview.value?.amountColumns ?? []).filter((c) => c.question))
  const canStart = computed(
    () =>
      preview.value !== null &&
      preview.value.missing.length === 0 &&
      unitQuestions.value.length === 0 &&
      !dirty.value &&
      !previewing.value,
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
          duplicates: result.value.duplicates,
          conflicts: result.value.conflicts,
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
    unitsSaid.value = new Set()
    dirty.value = false
    chosenMapping.value = null
    result.value = null
    await runPreview(false)
  }

  /**
   * The mapping as the person has it. An amount column whose unit nothing stated and the person has
   * not said is left out: main then reads its header again and asks again, instead of taking the
   * unit the preview only assumed for it.
   */
  function mappingInput(): ColumnMappingInput {
    const assumed = new Set(
      (preview.value?.amountColumns ?? [])
        .filter((c) => c.from === 'assumed' && !unitsSaid.value.has(c.header))
        .map((c) => c.header),
    )
    const chosen = Object.fromEntries(Object.entries(columns.value).filter(([h]) => !assumed.has(h)))
    // Each field is one the preview or a saved mapping named; main checks the mapping again.
    return { columns: chosen as ColumnMappingInput['columns'], defaults: {} }
  }

  /** What main reads the file with: the type, the merchant for every row, the mapping. */
  function source(withMapping: boolean) {
    return {
      file: file.value!,
      type: type.value,
      merchant: merchant.value ?? undefined,
      mapping: withMapping && Object.keys(columns.value).length ? mappingInput() : undefined,
    }
  }

  /** Without a mapping main recognises the headers itself; with one, the person's choice is checked. */
  async function runPreview(withMapping = true): Promise<void> {
    if (!file.value) return
    const taskId = newTaskId()
    task.value = taskId
    taskRows.value = 0
    const p = await attempt(
      () => api.imports.preview({ ...source(withMapping), rows: PREVIEW_ROWS, taskId }),
      {
        busy: previewing,
        onError: () => (preview.value = null),
      },
    )
    if (task.value === taskId) task.value = null
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

  /** The person says an amount column's unit: in the mapping, or answering the preview's question. */
  async function setUnit(header: string, unit: AmountUnit, previewNow = false): Promise<void> {
    const field = columns.value[header]
    if (!field) return
    unitsSaid.value = new Set([...unitsSaid.value, header])
    setField(header, fieldInUnit(field, unit))
    if (previewNow) await runPreview(true)
  }

  async function applySaved(name: string | null): Promise<void> {
    chosenMapping.value = name
    if (!name) return
    const m = savedMappings.value[name]
    if (!m) return
    type.value = m.type
    columns.value = { ...m.columns }
    // A saved mapping names its amount columns' units: they were said when it was saved.
    unitsSaid.value = new Set(Object.keys(m.columns))
    mappingName.value = name
    await runPreview(true)
  }

  async function saveAs(): Promise<void> {
    const name = mappingName.value.trim()
    if (!name) {
      message.warning(t('import.nameTheMapping'))
      return
    }
    const saved = await attempt(async () => {
      await saveMapping(name, { type: type.value, columns: { ...columns.value } })
      return true
    })
    if (!saved) return
    chosenMapping.value = name
    message.success(t('import.mappingSaved', { name }))
  }

  async function forgetChosen(): Promise<void> {
    const name = chosenMapping.value
    if (!name) return
    await attempt(() => deleteMapping(name))
    chosenMapping.value = null
  }

  /** The chosen saved mapping as the file `paysync import --mapping FILE` reads. */
  async function exportChosen(): Promise<void> {
    const name = chosenMapping.value
    if (!name) return
    await files.save(
      `${name}.json`,
      (to) => api.mappings.export({ name, file: to }),
      (res) =>
        res.downloadPath
          ? t('import.mappingDownloaded', { name })
          : t('import.mappingExported', { file: res.file }),
    )
  }

  /** Every row the file on preview would refuse, with its line and reason, to fix and import again. */
  async function exportPreviewRejected(): Promise<void> {
    if (!file.value) return
    await files.run({ kind: 'rejected', source: source(Object.keys(columns.value).length > 0) })
  }

  /** The rows the last import refused (it kept the first thousand). */
  async function exportResultRejected(): Promise<void> {
    if (result.value) await files.run({ kind: 'rejected', importId: result.value.importId })
  }

  async function downloadTemplate(list: TradeType): Promise<void> {
    const name = `${list === 'pay' ? t('import.templatePay') : t('import.templateRefund')}.csv`
    await files.save(
      name,
      (to) => api.imports.template({ type: list, file: to }),
      (res) =>
        res.downloadPath ? t('import.templateDownloaded') : t('import.templateSaved', { file: res.file }),
    )
  }

  /** Stops the preview or import in flight, after the rows written so far. */
  async function cancel(): Promise<void> {
    const taskId = task.value
    if (taskId) await attempt(() => api.imports.cancel({ taskId }))
  }

  /** Imports the file as previewed and starts its batch: the summary when a batch started. */
  async function start(): Promise<ImportSummary | undefined> {
    if (!file.value || !canStart.value) return undefined
    const taskId = newTaskId()
    task.value = taskId
    taskRows.value = 0
    const summary = await attempt(
      () =>
        api.imports.run({
          ...source(true),
          mapping: mappingInput(),
          taskId,
          sync: { concurrency: batch.concurrency, qps: batch.qps, name: batch.name.trim() || undefined },
        }),
      { busy: starting },
    )
    if (task.value === taskId) task.value = null
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
    task,
    taskRows,
    exporting: files.running,
    suggested,
    chosenMapping,
    mappingName,
    batch,
    result,
    canStart,
    unitQuestions,
    missingText,
    resultText,
    savedOptions,
    choose,
    upload,
    runPreview,
    setField,
    setUnit,
    applySaved,
    saveAs,
    forgetChosen,
    exportChosen,
    exportPreviewRejected,
    exportResultRejected,
    downloadTemplate,
    cancel,
    start,
  }
}
