import type pg from 'pg'
import { connectPg, type PgTarget } from '../pg/connect'
import { ADVISORY_NAMESPACE, leaderLock } from '../pg/locks'
import { Held } from './leadership'

// One leader on PostgreSQL (docs/team-mode.md B4): a session advisory lock, held on a connection of
// its own for as long as the leadership lasts. The lock lives and dies with that session, so a desktop
// that crashes, is killed or whose connection is cut gives the leadership away as soon as the server
// sees the session end, and learns it lost it when its connection ends.

/** How often the leader asks its connection whether it still stands, when nothing else used it. */
const PROBE_MS = 10_000
/** How long a probe may wait for its answer: well inside the ~25 s the server's keepalive allows. */
const PROBE_DEADLINE_MS = 8_000

export async function leadOnPg(target: PgTarget, name: string, owner: string): Promise<Held | null> {
  const client = await connectPg(target, 10_000, true)
  let ours = false
  try {
    // A computer that drops off the network sends nothing more: with the system's keepalive (two
    // hours) the server would hold its session, and the lock, all that time. These settings are the
    // session's own: the server gives up on a silent peer within about half a minute.
    await client.query(
      'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3',
    )
    // The lock carries no name of its holder: the session's application name does, for leaderOnPg.
    // Set before the lock is taken, so no moment shows the lock without its owner.
    await client.query("SELECT set_config('application_name', $1, false)", [owner])
    const r = await client.query<{ ours: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ours', [
      ADVISORY_NAMESPACE,
      leaderLock(name),
    ])
    ours = r.rows[0]?.ours === true
  } finally {
    if (!ours) await client.end().catch(() => {})
  }
  if (!ours) return null
  const held = new Held(name, owner, async () => {
    clearInterval(probe)
    // Ending the session would release it too; unlocking first frees it before the goodbye.
    await client
      .query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_NAMESPACE, leaderLock(name)])
      .catch(() => {})
    await client.end().catch(() => {})
  })
  // A connection nobody queries learns of its end only from TCP, and on a silently cut network a
  // query waits for its answer until the kernel gives up retransmitting (a quarter of an hour). So a
  // probe that has no answer within PROBE_DEADLINE_MS — shorter than the half minute after which the
  // server lets the lock go — counts as lost: this desktop stops leading before another can start.
  const lose = () => {
    held.end('lost')
    clearInterval(probe)
    void client.end().catch(() => {})
  }
  const probe = setInterval(() => {
    const deadline = setTimeout(lose, PROBE_DEADLINE_MS)
    deadline.unref()
    client
      .query('SELECT 1')
      .then(() => clearTimeout(deadline))
      .catch(() => {
        clearTimeout(deadline)
        lose()
      })
  }, PROBE_MS)
  probe.unref()
  client.once('end', () => {
    clearInterval(probe)
    held.end('lost')
  })
  return held
}

/**
 * Who holds the job's lock: the application name of the session that holds it (leadOnPg sets it to
 * the owner; PostgreSQL keeps its first 63 bytes, enough for a person to tell the desktop). A lock of
 * two int4 keys shows in pg_locks as classid, objid and objsubid 2; both keys are positive, so the
 * oid columns hold them as they are. Advisory locks are per database: another database's on the same
 * server is not this one's leader.
 */
export async function leaderOnPg(pool: pg.Pool, name: string): Promise<string | null> {
  const r = await pool.query<{ owner: string }>(
    `SELECT a.application_name AS owner
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [ADVISORY_NAMESPACE, leaderLock(name)],
  )
  return r.rows[0]?.owner ?? null
}
