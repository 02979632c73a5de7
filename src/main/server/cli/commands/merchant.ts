import type { Command } from 'commander'
import fs from 'node:fs'
import type { ConnectionReport } from '../../../../shared/contract'
import type { MerchantView } from '../../../../shared/entity-views'
import type { DemoRemoval } from '../../../../shared/views'
import { profileIds } from '../../../../shared/channels'
import { AppError } from '../../../../shared/errors'
import { jsonFault } from '../../json-position'
import { call } from '../flags'
import { table, type Io } from '../output'
import { EXIT, exitState, teamAddressOf, withContext, withTeamBooks, withTeamDesk } from '../runtime'

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

/** The team database's merchants (services/team-merchant-ops.ts), loaded by a command that works them. */
const teamOps = () => import('../../../services/team-merchant-ops')

// On a team database (--db postgres://…) a profile is added, listed, removed and tested there, its
// secrets sealed and opened with the team key: PAYSYNC_PASSPHRASE or PAYSYNC_KEY_FILE (docs/team-mode.md
// B8.17). What the command prints is the same on either books.

function sayAdded(io: Io, view: MerchantView): void {
  // An optional secret left out (appAuthToken) is listed as not set: it was not stored.
  const stored = Object.keys(view.secrets).filter((k) => view.secrets[k])
  if (io.json) io.out(JSON.stringify(view))
  else
    io.out(
      `added merchant ${view.name} (${view.channel}${view.mode === 'partner' ? ', partner mode' : ''}); secrets stored encrypted: ${stored.join(', ')}`,
    )
}

function sayTested(io: Io, report: ConnectionReport): void {
  if (!report.ok) exitState.code = EXIT.cannotRun
  if (io.json) return io.out(JSON.stringify(report))
  io.out(
    `${report.ok ? 'ok' : 'failed'}: ${report.message}\n` +
      `signature: ${report.signatureValid === null ? 'no signed answer' : report.signatureValid ? 'verified' : 'DOES NOT VERIFY'}; ` +
      `clock skew: ${report.clockSkewMs === null ? 'unknown' : `${(report.clockSkewMs / 1000).toFixed(1)} s`}; latency: ${report.latencyMs === null ? 'none (nothing was sent)' : `${report.latencyMs} ms`}`,
  )
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
      const address = teamAddressOf(cmd)
      if (address) {
        const { addProfileOn } = await import('../../../services/merchant-profiles')
        const { teamProfileBooks } = await teamOps()
        return withTeamDesk(address, cmd, async (desk, io) =>
          sayAdded(io, await addProfileOn(teamProfileBooks(desk), profile)),
        )
      }
      await withContext(
        cmd,
        // The file's fields are the profile's own (docs/cli.md section 2): a refusal names them as they are.
        async (ctx, io) => sayAdded(io, await call(ctx, 'merchants.add', profile, {})),
        // Adding the first merchant is how the command line makes a new database.
        { create: true },
      )
    })

  merchant
    .command('list')
    .description('list merchant profiles with their public settings and whether each secret is set')
    .action(async (_opts, cmd: Command) => {
      const say = (io: Io, items: MerchantView[]) => {
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
      }
      const address = teamAddressOf(cmd)
      if (address) {
        const { liveMerchantsOn, merchantView } = await import('../../../store/merchants')
        return withTeamBooks(address, cmd, async (books, io) =>
          say(io, (await liveMerchantsOn.async(books.exec)).map(merchantView)),
        )
      }
      await withContext(cmd, async (ctx, io) => say(io, await call(ctx, 'merchants.list', {}, {})))
    })

  merchant
    .command('remove <name>')
    .description('remove a profile: its secrets are erased, its orders and records stay')
    .action(async (name: string, _opts, cmd: Command) => {
      const say = (io: Io) => io.out(io.json ? JSON.stringify({ removed: name }) : `removed merchant ${name}`)
      const address = teamAddressOf(cmd)
      if (address) {
        const { removeProfileOn } = await import('../../../services/merchant-profiles')
        const { teamProfileBooks, teamMerchantNamed } = await teamOps()
        return withTeamDesk(address, cmd, async (desk, io) => {
          await removeProfileOn(teamProfileBooks(desk), (await teamMerchantNamed(desk, name)).id)
          say(io)
        })
      }
      await withContext(cmd, async (ctx, io) => {
        const { findMerchant } = await import('../../../services/merchants')
        await call(ctx, 'merchants.remove', { id: findMerchant(ctx, name).id }, {})
        say(io)
      })
    })

  merchant
    .command('remove-demo')
    .description(
      "take what an older version's sandbox left out of the books: its demo-* merchants and all their trades, records, repairs and anomalies",
    )
    .action(async (_opts, cmd: Command) => {
      const say = (io: Io, r: DemoRemoval) => {
        if (io.json) return io.out(JSON.stringify(r))
        io.out(
          r.merchants === 0
            ? 'no demo data in these books'
            : `removed the old sandbox's demo: ${r.merchants} merchants, ${r.payOrders} pay orders, ${r.refunds} refunds, ` +
                `${r.records} sync records, ${r.repairs} repairs, ${r.anomalies} anomalies`,
        )
      }
      // On a team database, where `paysync db copy` brought it (docs/team-mode.md B8.20).
      const address = teamAddressOf(cmd)
      if (address) {
        const { removeDemoOn } = await import('../../../services/demo-removal')
        const { teamDemoBooks } = await import('../../../services/team-demo-ops')
        return withTeamDesk(address, cmd, async (desk, io) =>
          say(io, await removeDemoOn(teamDemoBooks(desk))),
        )
      }
      await withContext(cmd, async (ctx, io) => say(io, await call(ctx, 'merchants.removeDemo', {}, {})))
    })

  merchant
    .command('test <name>')
    .description('make one signed call and report the signature check, clock skew and latency')
    .action(async (name: string, _opts, cmd: Command) => {
      const address = teamAddressOf(cmd)
      if (address) {
        const { testOnTeam, teamMerchantNamed } = await teamOps()
        return withTeamDesk(address, cmd, async (desk, io) =>
          sayTested(io, await testOnTeam(desk, (await teamMerchantNamed(desk, name)).id)),
        )
      }
      await withContext(cmd, async (ctx, io) => {
        const { findMerchant } = await import('../../../services/merchants')
        sayTested(io, await call(ctx, 'merchants.test', { id: findMerchant(ctx, name).id }, {}))
      })
    })
}
