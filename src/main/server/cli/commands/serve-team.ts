import { userDataDir } from '../../../store/paths'
import { portOption } from '../flags'
import { openTeamDesk } from '../runtime'
import { announce, checkScreens, ensurePortFree, untilStopped } from './serve-checks'

// `paysync serve --db postgres://…` (docs/team-mode.md B8.13): the screens on a team database. Several
// desktops serve the same books; each one's window follows what the others commit (LISTEN
// store_changed), its batches are run with whichever desktops run them too, and its exports are
// downloaded from this computer, and it ticks the schedules, which one desktop of the team runs at a
// time. There is no sandbox on a team database: its merchants are the team's.

export interface ServeTeamOptions {
  port: string
  renderer: string
  /** Run the schedules, led once per team (`--no-schedules`: not from this desktop). */
  schedules: boolean
  printToken?: boolean
  json?: boolean
}

export async function serveTeam(address: string, o: ServeTeamOptions): Promise<void> {
  const port = portOption(o.port)
  checkScreens(o.renderer)
  await ensurePortFree(port)
  const [{ TeamHost }, { teamBackend }, { startHttpServer }, { loadEveryService }] = await Promise.all([
    import('../../../services/team-host'),
    import('../../../services/team-operations'),
    import('../../http/server'),
    import('../../../services/index'),
  ])
  const desk = await openTeamDesk(address, 'http')
  const host = new TeamHost(desk, userDataDir(), { transport: 'http', schedules: o.schedules })
  let server
  try {
    await loadEveryService()
    server = await startHttpServer(teamBackend(host), { port, rendererDir: o.renderer })
  } catch (err) {
    await host.close()
    throw err
  }
  announce(server, o, { db: desk.reads.target.masked, sandbox: null })
  await untilStopped()
  // No more calls from the page, then this desktop's batch runs (their calls in flight written).
  await server.close()
  await host.close()
}
