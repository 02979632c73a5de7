import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { packageRoot } from '../../root'
import { portOption } from '../flags'
import { dbFileOf, globals, teamAddressOf } from '../runtime'
import { announce, checkScreens, ensurePortFree, untilStopped } from './serve-checks'
import { serveTeam } from './serve-team'

const ROOT = packageRoot()

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
  checkScreens(o.renderer)
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
        const address = teamAddressOf(cmd)
        if (address) return serveTeam(address, { ...o, json: g.json })
        const { port, dbFile } = await checkStart(cmd, o)
        const [{ ServiceContext }, { hostOptions, startHost }, { startHttpServer }, { fileBackend }] =
          await Promise.all([
            import('../../../services/context'),
            import('../../../services/host'),
            import('../../http/server'),
            import('../../../services/api-backend'),
          ])
        const ctx = new ServiceContext({ ...hostOptions(), dbFile, transport: 'http' })
        const host = await startHost(ctx, { sandbox: o.sandbox, schedules: o.schedules })
        let server
        try {
          server = await startHttpServer(fileBackend(ctx), { port, rendererDir: o.renderer })
        } catch (err) {
          await host.stop()
          throw err
        }
        announce(
          server,
          { json: g.json, printToken: o.printToken },
          {
            db: ctx.options.dbFile,
            sandbox: ctx.sandbox?.url ?? null,
          },
        )
        await untilStopped()
        // No more calls from the page, then the schedules' attempts in flight, then the database.
        await server.close()
        await host.stop()
      },
    )
}
