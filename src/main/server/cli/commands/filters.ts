import type { Command } from 'commander'
import type { z } from 'zod'
import { CHANNELS } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import { describeIssues } from '../../../../shared/validation'

// The list filters of cli.md section 1, shared by the list commands and export.

export interface FilterOpts {
  type?: string
  channel?: string
  merchant?: string
  status?: string
  result?: string
  repaired?: string
  no?: string
  since?: string
  until?: string
  kind?: string
  way?: string
  batch?: string
  limit?: string
  offset?: string
}

export function addFilterOptions(cmd: Command, withPage = true): Command {
  cmd
    .option('--type <type>', 'pay or refund')
    .option('--channel <channel>', `${CHANNELS.slice(0, -1).join(', ')} or ${CHANNELS.at(-1)}`)
    .option('--merchant <name>', 'merchant profile')
    .option('--status <status>', 'status')
    .option('--result <outcome>', 'consistent, repaired, anomaly, waiting, error or skipped')
    .option('--repaired <yes|no>', 'only records that did (or did not) repair')
    .option('--no <no>', 'local, business or gateway number')
    .option('--since <time>', 'from this Beijing time (YYYY-MM-DD HH:mm:ss)')
    .option('--until <time>', 'up to this Beijing time')
  if (withPage) cmd.option('--limit <n>', 'rows', '100').option('--offset <n>', 'rows to skip', '0')
  return cmd
}

/** Turns command-line filter options into the shared filter schema's input, and validates it. */
export function parseFilter<S extends z.ZodType>(schema: S, o: FilterOpts, withPage = true): z.output<S> {
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
  ] as const) {
    if (o[k] !== undefined) raw[k] = o[k]
  }
  if (o.repaired !== undefined) {
    if (!['yes', 'no'].includes(o.repaired))
      throw new AppError('invalid_input', '--repaired must be yes or no')
    raw.repaired = o.repaired === 'yes'
  }
  if (o.batch !== undefined) raw.batchId = Number(o.batch)
  if (withPage) {
    raw.limit = Number(o.limit ?? 100)
    raw.offset = Number(o.offset ?? 0)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success)
    throw new AppError('invalid_input', describeIssues(parsed.error).replace(/(^|; )(\w+):/g, '$1--$2:'))
  return parsed.data
}
