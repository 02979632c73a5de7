import type { Command } from 'commander'
import { pageSchema } from '../../../../shared/filters'
import { numberOption, type Flags } from '../flags'
import { CHANNELS } from '../../../../shared/domain'
import { codeOf, type LabelGroup } from '../../../../shared/labels'

// The list filters of docs/cli.md section 1, shared by the list commands and export. The options are
// handed to the contract's list schemas as typed; what they accept, and what they default to, is
// theirs (shared/filters.ts).

export interface FilterOpts {
  type?: string
  channel?: string
  merchant?: string
  status?: string
  result?: string
  repaired?: string
  held?: string
  no?: string
  since?: string
  until?: string
  kind?: string
  way?: string
  batch?: string
  sort?: string
  hideRepeats?: boolean
  limit?: string
  offset?: string
}

const PAGE = pageSchema.parse({})

export function addFilterOptions(cmd: Command, withPage = true): Command {
  cmd
    .option('--type <type>', 'pay or refund')
    .option('--channel <channel>', `${CHANNELS.slice(0, -1).join(', ')} or ${CHANNELS.at(-1)}`)
    .option('--merchant <name>', 'merchant profile')
    .option('--status <status>', 'status')
    .option('--result <outcome>', 'consistent, repaired, anomaly, decided, waiting, error or skipped')
    .option('--repaired <yes|no>', 'only records that did (or did not) repair')
    .option('--no <no>', 'local, business or gateway number')
    .option('--since <time>', 'from this Beijing time (YYYY-MM-DD HH:mm:ss)')
    .option('--until <time>', 'up to this Beijing time')
    .option('--sort <order>', 'newest first (-time, the default), time (oldest first), -amount or amount')
  if (withPage)
    cmd.option('--limit <n>', `rows (default ${PAGE.limit})`).option('--offset <n>', 'rows to skip')
  return cmd
}

/** The input field each filter option fills, as a refusal names it. */
export const FILTER_FLAGS: Flags = {
  type: '--type',
  channel: '--channel',
  merchant: '--merchant',
  status: '--status',
  result: '--result',
  repaired: '--repaired',
  held: '--held',
  no: '--no',
  since: '--since',
  until: '--until',
  kind: '--kind',
  way: '--way',
  batchId: '--batch',
  sort: '--sort',
  hideRepeats: '--hide-repeats',
}

/** The names of the codes each option takes, as the window and the CSV write them (成功, 支付宝, 出错). */
const NAMED: Partial<Record<keyof FilterOpts, LabelGroup>> = {
  channel: 'channel',
  result: 'outcome',
  type: 'tradeType',
  kind: 'anomalyKind',
  way: 'repairWay',
}

/**
 * The filter options as a list schema's input: text as typed, numbers as numbers, yes/no as a boolean.
 * A code's display name is taken for the code; `--status` names the statuses of `statusGroup` (a pay
 * order's, a refund's, a gateway answer's, an anomaly's), which the list decides.
 */
export function filterInput(
  o: FilterOpts,
  withPage = true,
  statusGroup?: LabelGroup,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {}
  for (const k of [
    'type',
    'channel',
    'merchant',
    'status',
    'result',
    'no',
    'since',
    'until',
    'kind',
    'way',
    'sort',
  ] as const) {
    const value = o[k]
    if (value === undefined) continue
    const group = k === 'status' ? statusGroup : NAMED[k]
    raw[k] = group ? codeOf(group, value) : value
  }
  if (o.hideRepeats) raw.hideRepeats = true
  if (o.repaired !== undefined)
    raw.repaired = o.repaired === 'yes' ? true : o.repaired === 'no' ? false : o.repaired
  if (o.held !== undefined) raw.held = o.held === 'yes' ? true : o.held === 'no' ? false : o.held
  if (o.batch !== undefined) raw.batchId = numberOption(o.batch)
  if (withPage) {
    if (o.limit !== undefined) raw.limit = numberOption(o.limit)
    if (o.offset !== undefined) raw.offset = numberOption(o.offset)
  }
  return raw
}
