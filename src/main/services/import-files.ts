import fs from 'node:fs'
import type { ExportResult } from '../../shared/contract'
import type { TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { say } from '../../shared/messages'
import { formatBeijing } from '../../shared/time'
import { csvField, guardId } from '../files/export/csv'
import { RejectedRowsCsv } from '../files/import/rejected-csv'
import { importErrorsOn, importRunOn, KEPT_ERRORS } from '../store/imports'
import { liveMerchantsOn } from '../store/merchants'
import type { Exec } from '../store/sql/exec'
import type { ImportResult } from '../files/import/import-options'
import type { ServiceContext } from './context'
import type { FileHandles } from './file-handles'
import { exportTarget, stampedName, writeSmallFile, type TargetHost } from './export-target'
import { runImportJob, type ImportSource } from './imports'

// The files an import hands the person: the rows it refused, to fix and import again (issue 14 item
// 8), and a template to fill in (item 18). Both follow the export conventions of docs/cli.md section 4.

/** What writing the refused rows needs of the books: the file's context, or a team host's desk. */
export interface RejectedBooks {
  exec: Exec
  handles: FileHandles
  /** A dry run of the source that writes every row it refuses to `out`: its result. */
  dryRun(source: ImportSource, out: { file: string; overwrite: boolean }): Promise<ImportResult>
}

/** The file's: its import worker reads the file again. */
export function fileRejectedBooks(ctx: ServiceContext): RejectedBooks {
  return {
    exec: ctx.exec,
    handles: ctx.handles,
    dryRun: async (source, out) =>
      (await runImportJob(ctx, source, { dryRun: true, rejectedOut: out })).result,
  }
}

/**
 * The refused rows: those an import run kept (its first KEPT_ERRORS), or every row a file on preview
 * would refuse, read again by a dry run and written as they come.
 */
export async function writeRejected(
  books: RejectedBooks,
  req: { importId?: number; source?: ImportSource },
  file: string,
): Promise<{ rows: number; bytes: number }> {
  if (req.importId !== undefined) return writeKeptRejected(books.exec, req.importId, file)
  // The page names the file it previewed by its handle, as it did for the preview.
  const source = { ...req.source!, file: await books.handles.readable(req.source!.file) }
  const rows = (await books.dryRun(source, { file, overwrite: true })).rejected
  return { rows, bytes: fs.statSync(file).size }
}

/** The rows an import run refused and kept (its first KEPT_ERRORS), on either store's books. */
export async function writeKeptRejected(
  x: Exec,
  importId: number,
  file: string,
): Promise<{ rows: number; bytes: number }> {
  const run = await importRunOn.async(x, importId)
  if (!run) throw AppError.say('not_found', 'import.notFound', { id: importId })
  const kept = await importErrorsOn.async(x, run.id, KEPT_ERRORS)
  const out = new RejectedRowsCsv(file, run.headers, true)
  try {
    for (const e of kept) out.add(e.line, e.said ? say(e.said.id, e.said.params, 'zh-CN') : e.reason, e.cells)
  } finally {
    out.close()
  }
  return { rows: out.rows, bytes: fs.statSync(file).size }
}

/**
 * A list to fill in: the headers the import recognises and two example rows that import cleanly as
 * they stand (a waiting order and a paid one; a refund in progress and a finished one of the paid
 * order), dated today, for the first merchant configured.
 */
function templateText(merchant: string, now: number, type: TradeType): string {
  const at = (minutesAgo: number) => formatBeijing(now - minutesAgo * 60_000)
  const day = formatBeijing(now).slice(0, 10).replace(/-/g, '')
  const rows =
    type === 'pay'
      ? [
          [
            '商户订单号',
            '商户',
            '金额(元)',
            '订单状态',
            '订单标题',
            '下单时间',
            '过期时间',
            '支付时间',
            '网关订单号',
          ],
          [`T${day}0001`, merchant, '12.50', '支付中', '拿铁咖啡', at(60), at(30), '', ''],
          [
            `T${day}0002`,
            merchant,
            '100.00',
            '成功',
            '会员卡',
            at(50),
            '',
            at(49),
            `${day}22001400000000000001`,
          ],
        ]
      : [
          ['退款单号', '商户订单号', '商户', '退款金额(元)', '退款状态', '创建时间'],
          [`R${day}0001`, `T${day}0002`, merchant, '10.00', '退款中', at(20)],
          [`R${day}0002`, `T${day}0002`, merchant, '5.00', '退款成功', at(10)],
        ]
  return '\uFEFF' + rows.map((r) => r.map((c) => csvField(guardId(c))).join(',')).join('\r\n') + '\r\n'
}

/**
 * The template, where `host` writes (the file's context or a team host, docs/team-mode.md B8.18):
 * it reads nothing of the books but `x`'s first merchant.
 */
export async function writeTemplate(
  x: Exec,
  host: TargetHost & { now(): number },
  req: { type: TradeType; file?: string },
): Promise<ExportResult> {
  const merchant = (await liveMerchantsOn.async(x))[0]?.name ?? ''
  const what = req.type === 'pay' ? '支付订单导入模板' : '退款订单导入模板'
  const now = host.now()
  const target = exportTarget(host, req.file, stampedName(what, now))
  return writeSmallFile(target, templateText(merchant, now, req.type), 2)
}
