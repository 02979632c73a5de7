import fs from 'node:fs'
import type { ExportResult } from '../../shared/contract'
import type { TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { say } from '../../shared/messages'
import { formatBeijing } from '../../shared/time'
import { csvField, guardId } from '../files/export/csv'
import { RejectedRowsCsv } from '../files/import/rejected-csv'
import { getImportRun, importErrors, KEPT_ERRORS } from '../store/imports'
import { listMerchants } from '../store/merchants'
import type { ServiceContext } from './context'
import { exportTarget, stampedName, writeSmallFile } from './export-target'
import { runImportJob, type ImportSource } from './imports'

// The files an import hands the person: the rows it refused, to fix and import again (issue 14 item
// 8), and a template to fill in (item 18). Both follow the export conventions of docs/cli.md section 4.

/**
 * The refused rows: those an import run kept (its first KEPT_ERRORS), or every row a file on preview
 * would refuse, read again through the import worker and written as they come.
 */
export async function writeRejected(
  ctx: ServiceContext,
  req: { importId?: number; source?: ImportSource },
  file: string,
): Promise<{ rows: number; bytes: number }> {
  let rows: number
  if (req.importId !== undefined) {
    const run = getImportRun(ctx.db, req.importId)
    if (!run) throw AppError.say('not_found', 'import.notFound', { id: req.importId })
    const out = new RejectedRowsCsv(file, run.headers, true)
    try {
      for (const e of importErrors(ctx.db, run.id, KEPT_ERRORS))
        out.add(e.line, e.said ? say(e.said.id, e.said.params, 'zh-CN') : e.reason, e.cells)
    } finally {
      out.close()
    }
    rows = out.rows
  } else {
    // The page names the file it previewed by its handle, as it did for the preview.
    const source = { ...req.source!, file: await ctx.handles.readable(req.source!.file) }
    const { result } = await runImportJob(ctx, source, {
      dryRun: true,
      rejectedOut: { file, overwrite: true },
    })
    rows = result.rejected
  }
  return { rows, bytes: fs.statSync(file).size }
}

/**
 * A list to fill in: the headers the import recognises and two example rows that import cleanly as
 * they stand (a waiting order and a paid one; a refund in progress and a finished one of the paid
 * order), dated today, for the first merchant configured.
 */
export function templateText(ctx: ServiceContext, type: TradeType): string {
  const merchant = listMerchants(ctx.db)[0]?.name ?? ''
  const at = (minutesAgo: number) => formatBeijing(ctx.now() - minutesAgo * 60_000)
  const day = formatBeijing(ctx.now()).slice(0, 10).replace(/-/g, '')
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

export async function writeTemplate(
  ctx: ServiceContext,
  req: { type: TradeType; file?: string },
): Promise<ExportResult> {
  const what = req.type === 'pay' ? '支付订单导入模板' : '退款订单导入模板'
  const target = exportTarget(ctx, req.file, stampedName(what, ctx.now()))
  return writeSmallFile(target, templateText(ctx, req.type), 2)
}
