import type { Command } from 'commander'
import path from 'node:path'
import { ServiceContext } from '../../../services/context'
import { hostOptions, startHost } from '../../../services/host'
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
        const port = portOption(o.port)
        const ctx = new ServiceContext({
          ...hostOptions(),
          dbFile: g.db ?? defaultDbFile(),
          transport: 'http',
        })
        const host = await startHost(ctx, { sandbox: o.sandbox, schedules: o.schedules })
        let server
        try {
          server = await startHttpServer(ctx, { port, rendererDir: o.renderer })
        } catch (err) {
          await host.stop()
          throw err
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
        // No more calls from the page, then the schedules' attempts in flight, then the database.
        await server.close()
        await host.stop()
      },
    )
}
