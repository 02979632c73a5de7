import type { Command } from 'commander'
import { ANOMALY_ACTIONS } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import {
  anomalyListSchema,
  orderListSchema,
  recordListSchema,
  refundListSchema,
  repairListSchema,
} from '../../../../shared/filters'
import { fenToYuan } from '../../../../shared/money'
import { resolveAnomaly } from '../../../engine/manual'
import { anomalyView } from '../../../store/anomalies'
import { listAnomalyViews, listOrders, listRecords, listRefunds, listRepairs } from '../../../services/lists'
import { table } from '../output'
import { intOption, withContext } from '../runtime'
import { addFilterOptions, parseFilter, type FilterOpts } from './filters'

const time = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '')

export function registerListCommands(program: Command): void {
  addFilterOptions(program.command('records').description('sync records, newest first'))
    .option('--batch <id>', 'records of one batch')
    .action(async (o: FilterOpts, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listRecords(ctx, parseFilter(recordListSchema, o))
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} records`)
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              createdAt: time(r.createdAt),
              error: r.errorCode ? `${r.errorCode} ${r.errorMsg ?? ''}` : '',
            })),
            [
              ['id', 'ID'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'LOCAL NO'],
              ['gatewayTradeNo', 'GATEWAY NO'],
              ['merchant', 'MERCHANT'],
              ['gatewayStatus', 'GATEWAY'],
              ['outcome', 'RESULT'],
              ['repairNo', 'REPAIR'],
              ['error', 'ERROR'],
              ['createdAt', 'TIME (BEIJING)'],
            ],
          ),
        )
      })
    })

  addFilterOptions(program.command('orders').description('local pay orders, newest first')).action(
    async (o: FilterOpts, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listOrders(ctx, parseFilter(orderListSchema, o))
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} pay orders`)
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              amount: fenToYuan(r.amount),
              createdAt: time(r.createdAt),
              expiredAt: time(r.expiredAt),
            })),
            [
              ['id', 'ID'],
              ['orderNo', 'ORDER NO'],
              ['merchant', 'MERCHANT'],
              ['amount', 'AMOUNT (YUAN)'],
              ['status', 'STATUS'],
              ['refundStatus', 'REFUND'],
              ['lastSyncOutcome', 'LAST SYNC'],
              ['createdAt', 'CREATED'],
              ['expiredAt', 'EXPIRES'],
            ],
          ),
        )
      })
    },
  )

  addFilterOptions(program.command('refunds').description('local refunds, newest first')).action(
    async (o: FilterOpts, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listRefunds(ctx, parseFilter(refundListSchema, o))
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} refunds`)
        io.out(
          table(
            page.items.map((r) => ({ ...r, amount: fenToYuan(r.amount), createdAt: time(r.createdAt) })),
            [
              ['id', 'ID'],
              ['refundNo', 'REFUND NO'],
              ['orderNo', 'ORDER NO'],
              ['merchant', 'MERCHANT'],
              ['amount', 'AMOUNT (YUAN)'],
              ['status', 'STATUS'],
              ['lastSyncOutcome', 'LAST SYNC'],
              ['createdAt', 'CREATED'],
            ],
          ),
        )
      })
    },
  )

  addFilterOptions(program.command('repairs').description('repair records, newest first'))
    .option('--way <way>', 'repair way')
    .action(async (o: FilterOpts, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listRepairs(ctx, parseFilter(repairListSchema, o))
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} repair records`)
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              change: `${r.beforeStatus} -> ${r.afterStatus}`,
              createdAt: time(r.createdAt),
            })),
            [
              ['repairNo', 'REPAIR NO'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'TRADE NO'],
              ['way', 'WAY'],
              ['change', 'CHANGE'],
              ['source', 'SOURCE'],
              ['operator', 'OPERATOR'],
              ['createdAt', 'TIME (BEIJING)'],
            ],
          ),
        )
      })
    })

  const anomalies = addFilterOptions(
    program.command('anomalies').description('anomalies: what a person must decide'),
  )
    .option('--kind <kind>', 'anomaly kind')
    .action(async (o: FilterOpts, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listAnomalyViews(ctx, parseFilter(anomalyListSchema, o))
        if (io.json) return io.out(JSON.stringify(page))
        io.out(`${page.total} anomalies`)
        io.out(
          table(
            page.items.map((a) => ({ ...a, createdAt: time(a.createdAt) })),
            [
              ['id', 'ID'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'TRADE NO'],
              ['merchant', 'MERCHANT'],
              ['kind', 'KIND'],
              ['localStatus', 'LOCAL'],
              ['gatewayStatus', 'GATEWAY'],
              ['status', 'STATUS'],
              ['createdAt', 'FOUND'],
            ],
          ),
        )
      })
    })

  anomalies
    .command('resolve <id>')
    .description('a person decides: the action is applied through the same safe path and audited')
    .requiredOption('--action <action>', ANOMALY_ACTIONS.join(', '))
    .requiredOption('--remark <text>', 'why (required)')
    .action(async (id: string, o: { action: string; remark: string }, cmd: Command) => {
      if (!(ANOMALY_ACTIONS as readonly string[]).includes(o.action)) {
        throw new AppError('invalid_input', `--action must be one of ${ANOMALY_ACTIONS.join(', ')}`)
      }
      if (o.remark.trim().length < 2) throw new AppError('invalid_input', '--remark is required: say why')
      await withContext(cmd, (ctx, io) => {
        const row = resolveAnomaly(
          ctx.db,
          {
            id: intOption(id, 'anomaly id', 1),
            action: o.action as (typeof ANOMALY_ACTIONS)[number],
            remark: o.remark.trim(),
            operator: ctx.operator,
          },
          ctx.now(),
        )
        const view = anomalyView({ ...row, merchant_name: row.merchant_name })
        if (io.json) return io.out(JSON.stringify(view))
        io.out(
          `anomaly ${view.id} ${view.status} with ${view.action}${view.repairNo ? ` (repair ${view.repairNo})` : ''}`,
        )
      })
    })
}
