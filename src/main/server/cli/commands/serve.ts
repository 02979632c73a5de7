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
    .description(
      'browser mode: the desktop screens and their API on loopback; the address it prints signs one browser in, once',
    )
    .option('--port <n>', 'port (0: any free one)', '0')
    .option('--renderer <dir>', 'the built screens', path.join(ROOT, 'out', 'renderer'))
    .option('--no-sandbox', 'do not start the built-in sandbox gateway when no merchant is configured')
    .option('--no-schedules', 'do not run the schedules while serving')
    .option('--print-token', "also print the run's API token, for scripts (Authorization: Bearer TOKEN)")
    .action(
      async (
        o: { port: string; renderer: string; sandbox: boolean; schedules: boolean; printToken?: boolean },
        cmd: Command,
      ) => {
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
        // The open address signs in once, so printing it hands nothing lasting to a log; the token
        // lasts the run and opens the whole API, so it is printed only when asked for.
        if (g.json)
          process.stdout.write(
            `${JSON.stringify({
              url: server.url,
              open: server.openUrl,
              ...(o.printToken ? { token: server.token } : {}),
              db: ctx.options.dbFile,
              sandbox: ctx.sandbox?.url ?? null,
            })}\n`,
          )
        else {
          process.stdout.write(`PaySync Desk in your browser: ${server.openUrl}\n`)
          process.stdout.write(
            `(loopback only; the address signs one browser in and then works no more. Database: ${ctx.options.dbFile}${ctx.sandbox ? `; sandbox gateway at ${ctx.sandbox.url}` : ''})\n`,
          )
          if (o.printToken)
            process.stdout.write(`API token for scripts (Authorization: Bearer): ${server.token}\n`)
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
