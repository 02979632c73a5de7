import type { Command } from 'commander'
import path from 'node:path'
import { Scheduler } from '../../../engine/scheduler'
import { ServiceContext, systemUser } from '../../../services/context'
import { startSandbox } from '../../../services/demo'
import { listMerchants } from '../../../store/merchants'
import { defaultDbFile } from '../../../store/paths'
import { startHttpServer } from '../../http/server'
import { packageRoot } from '../../root'
import { portOption } from '../flags'
import { globals } from '../runtime'

const ROOT = packageRoot()

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('browser mode: the desktop screens and their API on loopback, with a one-time token')
    .option('--port <n>', 'port (0: any free one)', '0')
    .option('--renderer <dir>', 'the built screens', path.join(ROOT, 'out', 'renderer'))
    .option('--no-sandbox', 'do not start the built-in sandbox gateway when no merchant is configured')
    .option('--no-schedules', 'do not run the schedules while serving')
    .action(
      async (o: { port: string; renderer: string; sandbox: boolean; schedules: boolean }, cmd: Command) => {
        const g = globals(cmd)
        const ctx = new ServiceContext({
          dbFile: g.db ?? defaultDbFile(),
          passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
          transport: 'http',
          operator: process.env.PAYSYNC_OPERATOR || null,
          systemUser: systemUser(),
        })
        void ctx.checkIntegrity()
        const merchants = listMerchants(ctx.db)
        if (o.sandbox && (merchants.length === 0 || merchants.every((m) => m.name.startsWith('demo-')))) {
          await startSandbox(ctx, { seedOrders: merchants.length === 0 })
        }
        const server = await startHttpServer(ctx, {
          port: portOption(o.port),
          rendererDir: o.renderer,
        })
        const scheduler = new Scheduler(
          ctx.db,
          ctx.engine,
          () => ctx.settings(),
          ctx.now,
          (at) => (ctx.lastScheduleRunAt = at),
        )
        if (o.schedules) {
          scheduler.start()
          ctx.schedulerStarted = true
        }
        if (g.json)
          process.stdout.write(
            `${JSON.stringify({ url: server.url, open: server.openUrl, token: server.token, db: ctx.options.dbFile, sandbox: ctx.sandbox?.url ?? null })}\n`,
          )
        else {
          process.stdout.write(`PaySync Desk in your browser: ${server.openUrl}\n`)
          process.stdout.write(
            `(loopback only; the address carries this run's token. Database: ${ctx.options.dbFile}${ctx.sandbox ? `; sandbox gateway at ${ctx.sandbox.url}` : ''})\n`,
          )
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve)
          process.once('SIGTERM', resolve)
        })
        // The pass in progress finishes what it started, so every attempt is recorded and its lease
        // given back before the database closes.
        await scheduler.stop()
        await server.close()
        await ctx.close()
      },
    )
}
