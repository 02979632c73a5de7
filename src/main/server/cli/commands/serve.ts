import type { Command } from 'commander'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { packageRoot } from '../../root'
import { portOption } from '../flags'
import { dbFileOf, globals } from '../runtime'

const ROOT = packageRoot()

/**
 * A port someone else listens on, found before anything is created: serve used to open (or create)
 * the database and start the sandbox first, then fail to listen (review-newcomer m6).
 */
async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return
  const probe = net.createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(port, '127.0.0.1', () => resolve())
    })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new AppError(
      'config',
      code === 'EADDRINUSE'
        ? `port ${port} is in use on 127.0.0.1: choose another with --port, or --port 0 for any free one`
        : `cannot listen on 127.0.0.1:${port} (${code ?? (err as Error).message}): choose another --port`,
    )
  }
  await new Promise((resolve) => probe.close(resolve))
}

/**
 * Everything serve can find wrong is found before it creates anything: the port, the screens, the
 * database. A database named by --db or PAYSYNC_DB that is not there is made only with --create (a
 * typo must not become new, empty books); the data folder's own is made as the app's first start
 * makes it.
 */
async function checkStart(
  cmd: Command,
  o: { port: string; renderer: string; create?: boolean },
): Promise<{ port: number; dbFile: string }> {
  const port = portOption(o.port)
  const renderer = path.resolve(o.renderer)
  if (!fs.existsSync(path.join(renderer, 'index.html')))
    throw new AppError(
      'config',
      `the screens are not built (${renderer}/index.html is missing): run npm run build first, or name them with --renderer`,
    )
  const { file, named } = dbFileOf(cmd)
  if (named && !o.create && !fs.existsSync(file))
    throw new AppError(
      'not_found',
      `no database at ${file}; add --create to make a new one there, or check ${named}`,
    )
  await ensurePortFree(port)
  return { port, dbFile: file }
}

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
    .option('--create', 'create the database named by --db or PAYSYNC_DB when it is not there')
    .action(
      async (
        o: {
          port: string
          renderer: string
          sandbox: boolean
          schedules: boolean
          printToken?: boolean
          create?: boolean
        },
        cmd: Command,
      ) => {
        const g = globals(cmd)
        const { port, dbFile } = await checkStart(cmd, o)
        const [{ ServiceContext }, { hostOptions, startHost }, { startHttpServer }] = await Promise.all([
          import('../../../services/context'),
          import('../../../services/host'),
          import('../../http/server'),
        ])
        const ctx = new ServiceContext({ ...hostOptions(), dbFile, transport: 'http' })
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
