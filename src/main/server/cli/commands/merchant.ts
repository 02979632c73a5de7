import type { Command } from 'commander'
import fs from 'node:fs'
import { profileIds } from '../../../../shared/channels'
import { AppError } from '../../../../shared/errors'
import { jsonFault } from '../../json-position'
import { call } from '../flags'
import { table } from '../output'
import { EXIT, exitState, withContext } from '../runtime'

function readJson(file: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new AppError('unreadable_file', `cannot read ${file}`)
  }
  const json = text.replace(/^\uFEFF/, '')
  try {
    return JSON.parse(json)
  } catch {
    // Where, never what: JSON.parse's message quotes the text around the fault, a secret perhaps.
    throw new AppError('unreadable_file', `${file} is not valid JSON at ${jsonFault(json)}`)
  }
}

export function registerMerchantCommands(program: Command): void {
  const merchant = program
    .command('merchant')
    .description('merchant profiles: add, list, remove, test, and remove-demo')

  merchant
    .command('add')
    .description(
      'add a merchant profile from a JSON file; its secrets are stored encrypted and never printed',
    )
    .requiredOption('--config <file>', 'profile file (docs/cli.md 2.4)')
    .action(async (opts: { config: string }, cmd: Command) => {
      const profile = readJson(opts.config)
      // Judged before the database is opened: a refused profile creates no database.
      const { parseInput } = await import('../../../services/index')
      parseInput('merchants.add', profile)
      await withContext(
        cmd,
        async (ctx, io) => {
          // The file's fields are the profile's own (docs/cli.md section 2): a refusal names them as they are.
          const view = await call(ctx, 'merchants.add', profile, {})
          // An optional secret left out (appAuthToken) is listed as not set: it was not stored.
          const stored = Object.keys(view.secrets).filter((k) => view.secrets[k])
          if (io.json) io.out(JSON.stringify(view))
          else
            io.out(
              `added merchant ${view.name} (${view.channel}${view.mode === 'partner' ? ', partner mode' : ''}); secrets stored encrypted: ${stored.join(', ')}`,
            )
        },
        // Adding the first merchant is how the command line makes a new database.
        { create: true },
      )
    })

  merchant
    .command('list')
    .description('list merchant profiles with their public settings and whether each secret is set')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        const items = await call(ctx, 'merchants.list', {}, {})
        if (io.json) return io.out(JSON.stringify({ total: items.length, items }))
        if (items.length === 0)
          return io.out('no merchant profiles yet: add one with paysync merchant add --config FILE')
        io.out(
          table(
            items.map((m) => ({
              ...m,
              enabled: m.enabled ? 'yes' : 'no',
              secrets: Object.entries(m.secrets)
                .map(([k, set]) => `${k}: ${set ? 'set' : 'not set'}`)
                .join(', '),
              ids: profileIds(m.channel, m.settings)
                .map(([k, v]) => `${k}=${v}`)
                .join(' '),
            })),
            [
              ['id', 'ID'],
              ['name', 'NAME'],
              ['channel', 'CHANNEL'],
              ['mode', 'MODE'],
              ['ids', 'APP/MCH ID'],
              ['endpoint', 'ENDPOINT'],
              ['enabled', 'ENABLED'],
              ['secrets', 'SECRETS'],
            ],
          ),
        )
      })
    })

  merchant
    .command('remove <name>')
    .description('remove a profile: its secrets are erased, its orders and records stay')
    .action(async (name: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        const { findMerchant } = await import('../../../services/merchants')
        await call(ctx, 'merchants.remove', { id: findMerchant(ctx, name).id }, {})
        io.out(io.json ? JSON.stringify({ removed: name }) : `removed merchant ${name}`)
      })
    })

  merchant
    .command('remove-demo')
    .description(
      "take what an older version's sandbox left out of the books: its demo-* merchants and all their trades, records, repairs and anomalies",
    )
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        const r = await call(ctx, 'merchants.removeDemo', {}, {})
        if (io.json) return io.out(JSON.stringify(r))
        io.out(
          r.merchants === 0
            ? 'no demo data in these books'
            : `removed the old sandbox's demo: ${r.merchants} merchants, ${r.payOrders} pay orders, ${r.refunds} refunds, ` +
                `${r.records} sync records, ${r.repairs} repairs, ${r.anomalies} anomalies`,
        )
      })
    })

  merchant
    .command('test <name>')
    .description('make one signed call and report the signature check, clock skew and latency')
    .action(async (name: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        const { findMerchant } = await import('../../../services/merchants')
        const report = await call(ctx, 'merchants.test', { id: findMerchant(ctx, name).id }, {})
        if (!report.ok) exitState.code = EXIT.cannotRun
        if (io.json) return io.out(JSON.stringify(report))
        io.out(
          `${report.ok ? 'ok' : 'failed'}: ${report.message}\n` +
            `signature: ${report.signatureValid === null ? 'no signed answer' : report.signatureValid ? 'verified' : 'DOES NOT VERIFY'}; ` +
            `clock skew: ${report.clockSkewMs === null ? 'unknown' : `${(report.clockSkewMs / 1000).toFixed(1)} s`}; latency: ${report.latencyMs === null ? 'none (nothing was sent)' : `${report.latencyMs} ms`}`,
        )
      })
    })
}
