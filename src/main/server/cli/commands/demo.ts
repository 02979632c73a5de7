import type { Command } from 'commander'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { label } from '../../../../shared/labels'
import type { ReconcileRun } from '../../../../shared/statements'
import type { DemoWorld } from '../../../services/demo'
import { table } from '../output'
import { EXIT, exitState, globals, ioOf } from '../runtime'
import { printSummary, runAsBatch } from './sync'

/** A reconciled demo day as the demo prints it: its result and how many differences of each kind. */
function statementLine(r: ReconcileRun) {
  const kinds = Object.entries(r.diffs).filter(([, n]) => n > 0)
  return {
    billDate: r.billDate,
    merchant: r.merchant,
    status: r.status,
    result: r.result,
    lines: r.lines.total,
    differences: kinds.map(([k, n]) => `${k} ${n}`).join(', ') || '-',
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'a first look: a simulated gateway, demo orders that drifted from it, one batch sync, the summary',
    )
    .action(async (_opts, cmd: Command) => {
      const io = ioOf(cmd)
      const g = globals(cmd)
      // Always a database of its own, where --db says or in a temp folder: the demo's merchants and
      // trades never go into existing books (issue 14, item 2), and PAYSYNC_DB, which names the books
      // in a cron environment, is not even looked at.
      if (g.db && fs.existsSync(g.db))
        throw new AppError(
          'conflict',
          `the demo makes a database of its own and never writes into an existing one: ${path.resolve(g.db)} exists; name a new file with --db, or leave --db out`,
        )
      const dbFile = g.db
        ? path.resolve(g.db)
        : path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-demo-')), 'demo.db')
      const [
        { refsFor },
        { ServiceContext, systemUser },
        { startDemoWorld, reconcileDemoDays },
        { dispatch },
        { summaryOf },
      ] = await Promise.all([
        import('../../../services/batches'),
        import('../../../services/context'),
        import('../../../services/demo'),
        import('../../../services/index'),
        import('../../../services/sync'),
      ])
      const ctx = new ServiceContext({ dbFile, transport: 'cli', operator: 'demo', systemUser: systemUser() })
      let sandbox: DemoWorld | null = null
      try {
        sandbox = await startDemoWorld(ctx)
        const imported = sandbox.imports.reduce((n, s) => n + s.inserted, 0)
        const refs = refsFor(ctx, { pending: false })
        const summary = refs.length
          ? await runAsBatch(ctx, io, refs, { name: 'demo', source: 'batch', concurrency: 8, qps: 50 })
          : summaryOf(null)
        // Then the 对账 side: past days of every channel with bills, reconciled against the simulator's.
        const bills = await reconcileDemoDays(ctx, sandbox.sim)
        const repairs = (await dispatch(ctx, 'repairs.list', { limit: 100 })).items
        const anomalies = (await dispatch(ctx, 'anomalies.list', { status: 'open', limit: 100 })).items
        if (summary.errors > 0) exitState.code = EXIT.syncErrors
        if (io.json) {
          io.out(
            JSON.stringify({
              db: dbFile,
              simulator: sandbox.sim.url,
              imported,
              summary,
              repairs,
              anomalies,
              statements: bills.runs.map(statementLine),
            }),
          )
          return
        }
        io.out(`PaySync Desk demo: simulated gateway at ${sandbox.sim.url}, database ${dbFile}`)
        io.out(`imported ${imported} demo trades whose local records drifted from the gateway\n`)
        printSummary(io, summary)
        io.out(`\nrepairs applied (${repairs.length}):`)
        io.out(
          table(
            repairs.map((r) => ({
              ...r,
              way: label('repairWay', r.way, 'en-US'),
              change: `${r.beforeStatus} -> ${r.afterStatus}`,
            })),
            [
              ['repairNo', 'REPAIR NO'],
              ['tradeNo', 'TRADE NO'],
              ['way', 'WAY'],
              ['change', 'CHANGE'],
            ],
          ),
        )
        io.out(`\nanomalies for a person to decide (${anomalies.length}):`)
        io.out(
          table(
            anomalies.map((a) => ({ ...a, kind: label('anomalyKind', a.kind, 'en-US') })),
            [
              ['id', 'ID'],
              ['tradeNo', 'TRADE NO'],
              ['kind', 'KIND'],
              ['localStatus', 'LOCAL'],
              ['gatewayStatus', 'GATEWAY'],
            ],
          ),
        )
        io.out(`\nstatements reconciled against the simulated bills (${bills.runs.length}):`)
        io.out(
          table(
            bills.runs.map((r) => {
              const l = statementLine(r)
              return { ...l, result: label('statementResult', l.result, 'en-US') || l.status }
            }),
            [
              ['billDate', 'BILL DATE'],
              ['merchant', 'MERCHANT'],
              ['result', 'RESULT'],
              ['lines', 'LINES'],
              ['differences', 'DIFFERENCES'],
            ],
          ),
        )
        io.out(`\nlook further: paysync records --db ${dbFile}   (or: paysync anomalies --db ${dbFile})`)
        io.out(`the statements: paysync statements --db ${dbFile}`)
      } finally {
        await ctx.close()
        await sandbox?.sim.close()
      }
    })
}
