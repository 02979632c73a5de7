import os from 'node:os'
import pg from 'pg'

// Opening a connection to a team database (docs/team-mode.md B8). Whatever is said about one (a check,
// a copy's progress, an error) names it by its masked address: the password never reaches a screen,
// a log or a terminal.

/** A team database is named by its address; anything else given as a database is a file. */
export const isPgUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s)

export interface PgTarget {
  url: string
  host: string
  port: string
  user: string
  database: string
  /** The address with its password replaced by ***. */
  masked: string
  password: string
}

export function pgTarget(url: string): PgTarget {
  const u = new URL(url)
  const password = decodeURIComponent(u.password)
  const user = decodeURIComponent(u.username) || process.env.PGUSER || os.userInfo().username
  const masked = new URL(url)
  if (masked.password) masked.password = '***'
  return {
    url,
    host: u.hostname || u.searchParams.get('host') || 'localhost',
    port: u.port || '5432',
    user,
    database: decodeURIComponent(u.pathname.slice(1)) || user,
    masked: masked.toString(),
    password,
  }
}

/** Any text about a connection with its password taken out, wherever the text put it. */
export function maskPassword(text: string, target: PgTarget): string {
  if (!target.password) return text
  return text
    .split(target.url)
    .join(target.masked)
    .split(target.password)
    .join('***')
    .split(encodeURIComponent(target.password))
    .join('***')
}

let typesSet = false

/**
 * Epoch milliseconds, ids and money are bigint columns, which `pg` hands over as strings: they are
 * numbers here as they are on SQLite, and a value beyond 2^53 is refused rather than rounded.
 */
function setTypes(): void {
  if (typesSet) return
  typesSet = true
  pg.types.setTypeParser(pg.types.builtins.INT8, (text) => {
    const n = Number(text)
    if (!Number.isSafeInteger(n)) throw new RangeError(`the bigint ${text} is beyond what PaySync counts`)
    return n
  })
  // sum() of a bigint column is numeric: the lists' totals of fen and counts, whole numbers as on
  // SQLite. PaySync keeps no fractions (money is whole fen), so anything else is refused, not rounded.
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (text) => {
    const n = Number(text)
    if (!Number.isSafeInteger(n)) throw new RangeError(`the sum ${text} is not a whole number PaySync counts`)
    return n
  })
}

/**
 * `keepAlive` for a connection held open for what it holds (a leader's lock, a listener): TCP then
 * tells a peer that vanished from one that is quiet.
 */
export async function connectPg(
  target: PgTarget,
  connectTimeoutMs = 10_000,
  keepAlive = false,
): Promise<pg.Client> {
  setTypes()
  const client = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'PaySync Desk',
    keepAlive,
    // Without a delay of its own the system's idle time applies (two hours on Linux and Windows).
    keepAliveInitialDelayMillis: keepAlive ? 10_000 : 0,
  })
  // An idle connection dropped by the server emits an error; the next query reports it instead.
  client.on('error', () => {})
  await client.connect()
  return client
}

/**
 * A pool of connections for short statements, with the same types as connectPg's. Its connections are
 * in pg's pipeline mode: a query goes out while the one before it still waits for its answer, which is
 * what lets a transaction send BEGIN, its unanswered writes and COMMIT together (store/pg/transaction.ts).
 * A caller that awaits each query sees no difference; each query still has its own Sync, so one that
 * fails outside a transaction fails alone.
 */
export function openPgPool(target: PgTarget, max: number, connectTimeoutMs = 10_000): pg.Pool {
  setTypes()
  const pool = new pg.Pool({
    connectionString: target.url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'PaySync Desk',
    pipeline: true,
  })
  // An idle pooled connection dropped by the server emits an error; the pool replaces it.
  pool.on('error', () => {})
  // An 'error' that nobody hears ends the process. The pool listens while a connection is idle and the
  // caller while it holds one, but a pipelined connection that dies says so more than once (the
  // server's FATAL, then the closed socket), and one such event went unheard under a server restart
  // on a loaded machine. So every connection keeps a listener of its own; the failure still reaches
  // each query that meets it.
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}
