import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// A throwaway PostgreSQL for the tests of team mode (docs/team-mode.md B8.4): Debian's server,
// run as the `postgres` user (initdb and postgres refuse root), listening on a free loopback port and
// on a socket in its own folder, with fsync off since nothing in it outlives the run. One role with a
// password (scram) beside the trusted superuser, so a wrong password can be tested.

/** Debian installs each major version in a folder of its own; the newest is used. */
function serverBin(): string {
  if (process.env.PAYSYNC_PG_BIN) return process.env.PAYSYNC_PG_BIN
  const root = '/usr/lib/postgresql'
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => /^\d+$/.test(d)) : []
  majors.sort((a, b) => Number(b) - Number(a))
  return path.join(root, majors[0] ?? '15', 'bin')
}

const BIN = serverBin()

/** The role that signs in with a password; everyone else is trusted on loopback. */
export const PASSWORD_ROLE = { user: 'paysync_pw', password: 'right-horse-battery' }

export interface Cluster {
  /** The superuser's address, database `postgres`. */
  url: string
  stop: () => void
  /** Shuts the server down as an administrator would (`pg_ctl stop -m fast`), its data kept. */
  down: () => void
  /** Starts it again on the same port. */
  up: () => void
}

/** Why no cluster can start here, or null when one can. */
export function whyNoCluster(): string | null {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) return `PostgreSQL is not installed (no ${BIN}/initdb)`
  const runsAsPostgres = os.userInfo().username === 'postgres'
  if (!runsAsPostgres && process.getuid?.() !== 0)
    return 'the tests run neither as root nor as postgres, so initdb cannot run as the postgres user'
  return null
}

function asPostgres(args: string[]): void {
  const [cmd, ...rest] = args
  if (os.userInfo().username === 'postgres') execFileSync(cmd!, rest, { stdio: 'pipe' })
  else execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe' })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export async function startCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-pg-'))
  fs.chmodSync(dir, 0o700)
  if (os.userInfo().username !== 'postgres') execFileSync('chown', ['postgres:postgres', dir])
  const data = path.join(dir, 'data')
  asPostgres([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  // The password role's line comes first: pg_hba.conf's first matching line decides.
  const hba = path.join(data, 'pg_hba.conf')
  const lines = fs.readFileSync(hba, 'utf8')
  fs.writeFileSync(hba, `host all ${PASSWORD_ROLE.user} 127.0.0.1/32 scram-sha-256\n${lines}`)
  const port = await freePort()
  const stop = () => {
    try {
      asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'])
    } catch {
      // Already stopped (or never started): the folder goes either way.
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=60`
  const up = () =>
    asPostgres([`${BIN}/pg_ctl`, '-D', data, '-l', path.join(dir, 'log'), '-o', opts, '-w', 'start'])
  const down = () => asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop'])
  try {
    up()
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`
    const { default: pg } = await import('pg')
    const client = new pg.Client(url)
    await client.connect()
    try {
      await client.query(`CREATE ROLE ${PASSWORD_ROLE.user} LOGIN PASSWORD '${PASSWORD_ROLE.password}'`)
    } finally {
      await client.end()
    }
    return { url, stop, up, down }
  } catch (err) {
    stop()
    throw err
  }
}
