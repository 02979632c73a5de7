import type { StatementDiffView, StatementLineView, YesterdayReconcile } from './statements'
import type { AnomalyAction, BatchStatus, Channel, GatewayStatus, StorageFault, TradeType } from './domain'
import type {
  AnomalyView,
  MerchantView,
  OutcomeCounts,
  PayOrderView,
  RefundOrderView,
  RepairRecordView,
  SyncRecordDetail,
  SyncRecordView,
} from './entity-views'
import type { AmountColumn, ImportNote, ImportRowError } from './import-report'
import type { ColumnMapping, ImportField } from './mapping'

// What the contract's operations answer and the events main pushes, beyond the list rows of
// ./entity-views.ts: detail views, reports and progress. Plain data, the same on every transport.

export interface OrderDetail {
  order: PayOrderView
  refunds: RefundOrderView[]
  records: SyncRecordView[]
  repairs: RepairRecordView[]
  anomalies: AnomalyView[]
}

export interface RefundDetail {
  refund: RefundOrderView
  order: PayOrderView
  records: SyncRecordView[]
  repairs: RepairRecordView[]
  anomalies: AnomalyView[]
}

export interface AnomalyDetail {
  anomaly: AnomalyView
  record: SyncRecordDetail | null
  order: PayOrderView | null
  refund: RefundOrderView | null
  /** The actions a person may take on this kind. */
  actions: AnomalyActionName[]
  /** The decided anomaly this one follows, with the answer it was decided on: the two answers side by side. */
  previous: { anomaly: AnomalyView; record: SyncRecordDetail | null } | null
  /** The anomaly a changed answer opened after this one was decided. */
  followedBy: number | null
  /**
   * An anomaly a statement difference opened: that difference and the bill line it came from, the
   * statement's side beside the local one (docs/reconcile.md A15.5). Null for any other anomaly.
   */
  statement: { diff: StatementDiffView; line: StatementLineView | null } | null
}
export type AnomalyActionName = AnomalyAction

/** A trade the search box found: enough to tell it apart from the others and open it. */
export interface TradeHit {
  type: TradeType
  id: number
  /** The local order or refund number. */
  no: string
  bizNo: string
  gatewayNo: string | null
  /** A refund's pay order. */
  orderNo: string | null
  merchant: string
  channel: Channel
  amount: number
  /** Its pay or refund status. */
  status: string
  createdAt: string
}

export interface TradeSearchResult {
  /** Trades with a number equal to the one typed first, then the newest. */
  items: TradeHit[]
  /** More trades matched than shown. */
  more: boolean
}

export interface ConnectionReport {
  ok: boolean
  signatureValid: boolean | null
  clockSkewMs: number | null
  /** Null when nothing was sent (the profile could not be used): there was no round trip to time. */
  latencyMs: number | null
  /** One English sentence, for the command line and the log. */
  message: string
  /** The catalog entry of `message` (shared/messages.ts), when it has one: the window says it in its language. */
  id?: string
  /** Why no verified answer came, when the gateway was asked (shared/sync-errors.ts says it). */
  code?: string
  params?: Record<string, string | number>
  /** The gateway's own codes in a verified answer (e.g. `40004 ACQ.TRADE_NOT_EXIST`), shown as they are. */
  reply?: string
}

export interface BatchProgressEvent {
  batchId: number
  status: BatchStatus
  total: number
  done: number
  counts: OutcomeCounts
  byGatewayStatus: Partial<Record<GatewayStatus, number>>
  rate: number
  etaSeconds: number | null
  elapsedMs: number
  /** Set while the batch is paused because the storage refused a write. */
  pauseReason?: StorageFault
  /**
   * How many processes run the batch now, the reporting one included (docs/team-mode.md B8.5); the
   * counts are the whole batch's, whichever runner did each item.
   */
  runners?: number
}

/** What `orders.sync` answers: the attempts of one sync of chosen trades, counted by outcome. */
export interface SyncSummary {
  batchId: number | null
  total: number
  consistent: number
  repaired: number
  anomalies: number
  /** Differences a person already decided on, seen again with the same answer: nothing to decide. */
  decided: number
  waiting: number
  errors: number
  skipped: number
  /**
   * Of the skipped, the trades another worker (this process or another, the app or the cron) was
   * syncing at that moment (10007, docs/domain.md 6.3): left to it, its record says what the gateway
   * answered. Always 0 for a batch, which waits for such a trade and takes the other's record.
   */
  elsewhere: number
  durationMs: number
  byGatewayStatus: Partial<Record<GatewayStatus, number>>
  /** The batch stopped, paused, because the storage refused a write; the rest waits for a resume. */
  pauseReason?: StorageFault
}

export interface TaskProgressEvent {
  taskId: string
  kind: 'import' | 'export'
  done: number
  total: number | null
  finished: boolean
  error: string | null
}

export interface OverviewData {
  today: { syncs: number; repairs: number; errors: number; openAnomalies: number }
  /** Syncs per day (Beijing) by outcome, oldest first. */
  daily: Array<{ day: string } & OutcomeCounts>
  byChannel: Array<{
    channel: string
    syncs: number
    repaired: number
    anomalies: number
    errors: number
    /** Not settled at the gateway yet (unpaid, not found): apart from the consistent ones. */
    waiting: number
    consistent: number
    /** Answers a person had already decided on, seen again (docs/domain.md 6.6). */
    decided: number
  }>
  anomaliesByKind: Array<{ kind: string; open: number }>
  merchants: MerchantView[]
  pending: { pay: number; refund: number }
  /** Yesterday's bills per merchant and the open statement differences (docs/reconcile.md A15.4). */
  reconcile: YesterdayReconcile
}

/** How merchant secrets are protected, and whether a headless run (cron) can open them. */
export interface KeyStoreInfo {
  /** The app's key store: keychain, dpapi, gnome_libsecret, kwallet, basic_text...; keyfile headless. */
  backend: string
  secure: boolean
  /** The wraps of the data key in this database: keyfile, passphrase, safestorage. */
  schemes: string[]
  /** The name of the key file a headless run uses, beside the database: a name, never its path. */
  keyFileName: string | null
  /** True when a key-file wrap exists, so `paysync sync --pending` from cron can sign requests. */
  headless: boolean
  /**
   * The app has no secure key store, so the secrets are kept under a passphrase, and this run has
   * none yet: the window asks for it (keys.unlock), a new one when `schemes` has no passphrase.
   */
  needsPassphrase: boolean
}

export interface AppInfo {
  /** The computer's user, recorded as who acted while Settings names no operator. */
  systemUser: string | null
  version: string
  /**
   * The database: its whole path in the desktop window (the person backs it up and must find it),
   * only its file name in browser mode, whose tab is not the person's own window.
   */
  dbFile: string
  /**
   * The team database this window works on (`host:port/database`, never its password), or null for
   * a desktop's own file (docs/team-mode.md B8.13).
   */
  team: string | null
  transport: 'electron' | 'http'
  keyStore: KeyStoreInfo
  /** The built-in sandbox: while it runs, the window shows its own database, not the books. */
  sandbox: { running: boolean; url: string | null }
  /** What an older version's sandbox left in the books (demo-* merchants and their trades). */
  demoInBooks: { merchants: number; trades: number }
  /**
   * enabled: the setting; running: whether this process runs them at all (`serve --no-schedules`);
   * leader: who ran them at this process's last tick (one process per database does, docs/domain.md
   * section 7): this process, another one by its owner (`host:pid:random`), or null before the first
   * tick or while nobody leads.
   */
  schedules: {
    enabled: boolean
    running: boolean
    lastRunAt: string | null
    leader: { self: boolean; owner: string } | null
  }
  /** The database file's check after opening: damage found deep in the file shows here. */
  integrity: {
    status: 'unchecked' | 'checking' | 'ok' | 'damaged'
    problems: string[]
    checkedAt: string | null
  }
}

/** What `merchants.removeDemo` took out of the books. */
export interface DemoRemoval {
  merchants: number
  payOrders: number
  refunds: number
  records: number
  repairs: number
  anomalies: number
}

export interface ExportResult {
  /** Where it went: the path chosen (window, command line), or the file's name (browser mode). */
  file: string
  rows: number
  bytes: number
  /** Browser mode: where the page downloads the file from. */
  downloadPath: string | null
}

export interface PickResult {
  /** False where the transport has no native dialog (browser mode): the page uploads instead. */
  supported: boolean
  /** The handle of the chosen file, to pass back as `file`: an opaque id, never a path. Null: cancelled. */
  file: string | null
  /** The chosen file's name, to show. */
  name: string | null
}

/** An upload kept for its import: its id, to pass as `file`, and its name (never the server's path). */
export interface UploadResult {
  file: string
  name: string
}

export interface ImportPreview {
  file: string
  encoding: string
  /** The header row's line: 1, or further down below a title line. */
  headerLine: number
  headers: string[]
  /** Column index -> field it maps to, or null when ignored; an amount column under its unit's field. */
  columns: Array<{ header: string; field: ImportField | null }>
  /** Each amount column's unit and what decided it; `question` ones wait for the person to say. */
  amountColumns: AmountColumn[]
  /** The first rows below the header: the cells, and what importing would store and say. */
  rows: Array<{
    line: number
    cells: string[]
    error: string | null
    /** In fen, as it would be stored; null when the row is refused or skipped. */
    amount: number | null
    notes: ImportNote[]
  }>
  unknownHeaders: string[]
  missing: string[]
  /** What importing would do, every row checked, nothing written. Null when required columns are missing. */
  summary: {
    rows: number
    inserted: number
    updated: number
    unchanged: number
    duplicates: number
    conflicts: number
    skipped: number
    rejected: number
    warnings: number
  } | null
  /** Every rejected row (the first thousand) with its line, column and reason. */
  errors: ImportRowError[]
  /** Repeats, conflicts, warnings and skipped lines (the first thousand). */
  notes: ImportNote[]
  /** Merchant names of the file's merchant column, overridden by the merchant chosen for the file. */
  merchantColumnIgnored: string[]
}

/** A column mapping saved by name: kept in the database, offered for files with the same headers. */
export interface SavedMappingView {
  name: string
  type: 'pay' | 'refund'
  mapping: ColumnMapping
  savedAt: string
}

export interface BatchItemView {
  id: number
  tradeType: 'pay' | 'refund'
  tradeId: number
  tradeNo: string
  /** The trade's amount (fen). */
  amount: number | null
  state: string
  outcome: string | null
  gatewayStatus: string | null
  attempts: number
  lastError: string | null
  /** The error code of the item's sync record (shared/sync-errors.ts says it). */
  errorCode: string | null
  syncRecordId: number | null
}
