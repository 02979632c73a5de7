import type { Command } from 'commander'
import type { OperationOutput } from '../../../../shared/contract'
import { ANOMALY_ACTIONS, AUDIT_EVENTS, type AnomalyAction } from '../../../../shared/domain'
import { type AnomalyView, type ListTotals } from '../../../../shared/entity-views'
import { AppError } from '../../../../shared/errors'
import { pageSchema } from '../../../../shared/filters'
import { resolveSchema } from '../../../../shared/inputs'
import type { LabelGroup } from '../../../../shared/labels'
import { fenToYuan } from '../../../../shared/money'
import type { Reads } from '../../../services/reads'
import { call, callRead, check, maximumOf, numberOption, type Flags } from '../flags'
import { counted, table, type Io } from '../output'
import { teamAddressOf, withContext, withReads, withTeamDesk } from '../runtime'
import { addFilterOptions, FILTER_FLAGS, filterInput, type FilterOpts } from './filters'

// The lists of docs/cli.md section 1, each one call of the contract's list operation: a page as a
// table, a page as one JSON document (`--json`), or every row as JSON lines (`--json --all`).

type ListOperation =
  'records.list' | 'orders.list' | 'refunds.list' | 'repairs.list' | 'anomalies.list' | 'audit.list'
type ListOpts = FilterOpts & { all?: boolean; after?: string; event?: string }

const time = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '')

/** Why the schedules skip a trade (docs/domain.md 6.7): its batch, paused or cancelled. */
const schedule = (r: { heldBy: { batchId: number; batchStatus: string } | null }) =>
  r.heldBy ? `held: batch ${r.heldBy.batchId} ${r.heldBy.batchStatus}` : ''

const HELD_OPTION = [
  '--held <yes|no>',
  'only trades a paused or cancelled batch keeps out of the schedules (or only the others)',
] as const

/** What a decision did, as `anomalies resolve` reports it. */
const DONE: Record<AnomalyAction, string> = {
  mark_paid: 'resolved, the order marked paid',
  close_order: 'resolved, the order closed',
  mark_refunded: 'resolved, the refund marked refunded',
  close_refund: 'resolved, the refund closed',
  acknowledge: 'resolved as handled outside PaySync Desk; the trade is unchanged',
  dismiss: 'dismissed; the trade is unchanged',
}

/** The line above a list: how many rows the filter matches and what their amounts come to. */
function totalsLine(page: ListTotals, [one, many]: [string, string?], amounts: string): string {
  const more = page.capped
    ? ' (of the newest 10,000 trades the number matches: type more of it to find the rest)'
    : ''
  const gateway =
    page.gatewayAmount !== undefined ? `, gateway amounts ${fenToYuan(page.gatewayAmount)} yuan` : ''
  return `${counted(page.total, one, many)}, ${amounts} ${fenToYuan(page.amount)} yuan${gateway}${more}`
}

const LIST_FLAGS: Flags = {
  ...FILTER_FLAGS,
  event: '--event',
  limit: {
    name: '--limit',
    above: (max) =>
      `--limit is at most ${max} rows a page: page on with --offset, or write every row with --json --all`,
  },
  offset: '--offset',
  after: '--after',
}

const AFTER_OPTION = [
  '--after <cursor>',
  'the rows after the last one of a page: its `next`, as --json printed it',
] as const

function addListOptions(cmd: Command): Command {
  return addFilterOptions(cmd)
    .option(...AFTER_OPTION)
    .option('--all', 'with --json: every row, one JSON object a line, all as of the moment the list starts')
}

/** What `--status` names on each list. */
const STATUS_OF: Record<ListOperation, LabelGroup | undefined> = {
  'records.list': 'gatewayStatus',
  'orders.list': 'payStatus',
  'refunds.list': 'refundStatus',
  'repairs.list': undefined,
  'anomalies.list': 'anomalyStatus',
  'audit.list': undefined,
}

async function list<K extends ListOperation>(
  cmd: Command,
  o: ListOpts,
  name: K,
  show: (io: Io, page: OperationOutput<K>) => void,
  input?: Record<string, unknown>,
): Promise<void> {
  await withReads(cmd, async (books, io) => {
    input ??= filterInput(o, true, STATUS_OF[name])
    if (o.after !== undefined) input = { ...input, after: o.after }
    if (o.all) return everyRow(books, io, name, input)
    const page = await callRead(books, name, input, LIST_FLAGS)
    if (io.json) return io.out(JSON.stringify(page))
    show(io, page)
  })
}

/**
 * Pages through the operation at its page cap, writing each row as it comes: for scripts. Each page
 * goes on from the last row of the one before (its `next`), so the millionth row costs what the first
 * does; an offset would step through every row before it, page after page.
 */
async function everyRow(
  books: Reads,
  io: Io,
  name: ListOperation,
  input: Record<string, unknown>,
): Promise<void> {
  if (!io.json) throw new AppError('invalid_input', '--all writes JSON lines for scripts: add --json')
  if (input.limit !== undefined)
    throw new AppError('invalid_input', '--all pages by itself: leave out --limit')
  const limit = maximumOf(name, 'limit')
  // Every page from one snapshot: a sync writing records meanwhile shifts no page.
  await books.inOneReading(async (snapshot) => {
    let page = await callRead(snapshot, name, { ...input, limit }, LIST_FLAGS)
    for (;;) {
      if (page.items.length > 0) io.out(page.items.map((item) => JSON.stringify(item)).join('\n'))
      if (page.next === undefined || io.outputGone?.()) return
      page = await callRead(
        snapshot,
        name,
        { ...input, limit, offset: undefined, after: page.next },
        LIST_FLAGS,
      )
    }
  })
}

export function registerListCommands(program: Command): void {
  addListOptions(program.command('records').description('sync records, newest first'))
    .option('--batch <id>', 'records of one batch')
    .option('--hide-repeats', "leave out the records that only repeat their trade's previous one")
    .action((o: ListOpts, cmd: Command) =>
      list(cmd, o, 'records.list', (io, page) => {
        io.out(totalsLine(page, ['record'], "their trades' amounts"))
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              amount: r.amount === null ? '' : fenToYuan(r.amount),
              createdAt: time(r.createdAt),
              error: r.errorCode ? `${r.errorCode} ${r.errorMsg ?? ''}` : '',
            })),
            [
              ['id', 'ID'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'LOCAL NO'],
              ['gatewayTradeNo', 'GATEWAY NO'],
              ['merchant', 'MERCHANT'],
              ['amount', 'AMOUNT (YUAN)'],
              ['gatewayStatus', 'GATEWAY'],
              ['outcome', 'RESULT'],
              ['repairNo', 'REPAIR'],
              ['error', 'ERROR'],
              ['createdAt', 'TIME (BEIJING)'],
            ],
          ),
        )
      }),
    )

  addListOptions(program.command('orders').description('local pay orders, newest first'))
    .option(...HELD_OPTION)
    .action((o: ListOpts, cmd: Command) =>
      list(cmd, o, 'orders.list', (io, page) => {
        io.out(totalsLine(page, ['pay order'], 'amounts'))
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              amount: fenToYuan(r.amount),
              createdAt: time(r.createdAt),
              expiredAt: time(r.expiredAt),
              schedule: schedule(r),
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
              ['schedule', 'SCHEDULE'],
            ],
          ),
        )
      }),
    )

  addListOptions(program.command('refunds').description('local refunds, newest first'))
    .option(...HELD_OPTION)
    .action((o: ListOpts, cmd: Command) =>
      list(cmd, o, 'refunds.list', (io, page) => {
        io.out(totalsLine(page, ['refund'], 'amounts'))
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              amount: fenToYuan(r.amount),
              createdAt: time(r.createdAt),
              schedule: schedule(r),
            })),
            [
              ['id', 'ID'],
              ['refundNo', 'REFUND NO'],
              ['orderNo', 'ORDER NO'],
              ['merchant', 'MERCHANT'],
              ['amount', 'AMOUNT (YUAN)'],
              ['status', 'STATUS'],
              ['lastSyncOutcome', 'LAST SYNC'],
              ['createdAt', 'CREATED'],
              ['schedule', 'SCHEDULE'],
            ],
          ),
        )
      }),
    )

  addListOptions(program.command('repairs').description('repair records, newest first'))
    .option('--way <way>', 'repair way')
    .action((o: ListOpts, cmd: Command) =>
      list(cmd, o, 'repairs.list', (io, page) => {
        io.out(totalsLine(page, ['repair record'], 'repaired'))
        io.out(
          table(
            page.items.map((r) => ({
              ...r,
              amount: r.amount === null ? '' : fenToYuan(r.amount),
              change: `${r.beforeStatus} -> ${r.afterStatus}`,
              createdAt: time(r.createdAt),
            })),
            [
              ['repairNo', 'REPAIR NO'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'TRADE NO'],
              ['amount', 'AMOUNT (YUAN)'],
              ['way', 'WAY'],
              ['change', 'CHANGE'],
              ['source', 'SOURCE'],
              ['operator', 'OPERATOR'],
              ['systemUser', 'SYSTEM USER'],
              ['transport', 'VIA'],
              ['createdAt', 'TIME (BEIJING)'],
            ],
          ),
        )
      }),
    )

  program
    .command('audit')
    .description('the audit log, newest first: who (operator, system user), how, what and on what')
    .option('--event <event>', AUDIT_EVENTS.join(', '))
    .option('--since <time>', 'from this Beijing time (YYYY-MM-DD HH:mm:ss)')
    .option('--until <time>', 'up to this Beijing time')
    .option('--limit <n>', `rows (default ${pageSchema.parse({}).limit})`)
    .option('--offset <n>', 'rows to skip')
    .option(...AFTER_OPTION)
    .option('--all', 'with --json: every row, one JSON object a line')
    .action((o: ListOpts, cmd: Command) =>
      list(
        cmd,
        o,
        'audit.list',
        (io, page) => {
          io.out(`${page.total} audit rows`)
          io.out(
            table(
              page.items.map((a) => ({ ...a, createdAt: time(a.createdAt) })),
              [
                ['createdAt', 'TIME (BEIJING)'],
                ['operator', 'OPERATOR'],
                ['systemUser', 'SYSTEM USER'],
                ['transport', 'VIA'],
                ['event', 'EVENT'],
                ['subject', 'SUBJECT'],
                ['detail', 'DETAIL'],
              ],
            ),
          )
        },
        {
          ...filterInput({ since: o.since, until: o.until, limit: o.limit, offset: o.offset }),
          event: o.event,
        },
      ),
    )

  const anomalies = addListOptions(
    program.command('anomalies').description('anomalies: what a person must decide'),
  )
    .option('--kind <kind>', 'anomaly kind')
    .action((o: ListOpts, cmd: Command) =>
      list(cmd, o, 'anomalies.list', (io, page) => {
        io.out(totalsLine(page, ['anomaly', 'anomalies'], 'local amounts'))
        io.out(
          table(
            page.items.map((a) => ({
              ...a,
              localAmount: a.localAmount === null ? '' : fenToYuan(a.localAmount),
              gatewayAmount: a.gatewayAmount === null ? '' : fenToYuan(a.gatewayAmount),
              createdAt: time(a.createdAt),
            })),
            [
              ['id', 'ID'],
              ['tradeType', 'TYPE'],
              ['tradeNo', 'TRADE NO'],
              ['merchant', 'MERCHANT'],
              ['kind', 'KIND'],
              ['localStatus', 'LOCAL'],
              ['gatewayStatus', 'GATEWAY'],
              ['localAmount', 'LOCAL (YUAN)'],
              ['gatewayAmount', 'GATEWAY (YUAN)'],
              ['status', 'STATUS'],
              ['createdAt', 'FOUND'],
              ['operator', 'DECIDED BY'],
              ['systemUser', 'SYSTEM USER'],
              ['transport', 'VIA'],
            ],
          ),
        )
      }),
    )

  anomalies
    .command('resolve <id>')
    .description('a person decides: the action is applied through the same safe path and audited')
    .requiredOption('--action <action>', ANOMALY_ACTIONS.join(', '))
    .requiredOption('--remark <text>', 'why (required)')
    .action(async (id: string, o: { action: string; remark: string }, cmd: Command) => {
      const input = { id: numberOption(id), action: o.action, remark: o.remark }
      const flags = { id: 'the anomaly id', action: '--action', remark: '--remark' }
      const said = (io: Io, view: AnomalyView) =>
        io.json
          ? io.out(JSON.stringify(view))
          : io.out(
              `anomaly ${view.id}: ${DONE[view.action ?? 'dismiss']}${view.repairNo ? ` (repair ${view.repairNo})` : ''}`,
            )
      // On a team database the decision is written there (docs/team-mode.md B8.9).
      const address = teamAddressOf(cmd)
      if (address) {
        const request = check(resolveSchema, input, flags)
        const { decideAnomalyOnTeam } = await import('../../../services/anomalies')
        return withTeamDesk(address, cmd, async (desk, io) =>
          said(io, await decideAnomalyOnTeam(desk, request)),
        )
      }
      await withContext(cmd, async (ctx, io) => said(io, await call(ctx, 'anomalies.resolve', input, flags)))
    })
}
