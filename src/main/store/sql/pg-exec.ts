import type pg from 'pg'
import type { Exec, QueryHow } from './exec'

// The PostgreSQL form of an Exec. The queries are written with `?`; PostgreSQL numbers its
// parameters, so each text is rewritten once (`$1`, `$2`...) and kept, and sent as a named prepared
// statement so that the server plans it once per connection too.

const numbered = new Map<string, { text: string; name: string }>()

/** `?` outside quoted text and identifiers becomes `$n`; a `?` in the store's SQL is always a parameter. */
export function numberParams(sql: string): string {
  let n = 0
  let out = ''
  let quote: string | null = null
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null
      out += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      out += ch
    } else out += ch === '?' ? `$${++n}` : ch
  }
  return out
}

function prepared(sql: string): { text: string; name: string } {
  let p = numbered.get(sql)
  if (!p) {
    p = { text: numberParams(sql), name: `paysync_${numbered.size + 1}` }
    numbered.set(sql, p)
  }
  return p
}

/** Anything `pg` queries through: a pool for reads, a client inside a transaction. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>

/**
 * The statements of a pipelined connection (store/pg/transaction.ts) sent without waiting for their
 * answers, in the order sent. The server answers in that order, so by the time a later query is
 * answered these are too; the first of them that failed is the fault to report (in a transaction, every
 * statement after it fails only because the transaction is aborted).
 */
export class Unanswered {
  private sent: Promise<unknown>[] = []

  add(p: Promise<unknown>): void {
    // Heard here at once, thrown by settle(): a failure nobody listened to would end the process.
    p.catch(() => undefined)
    this.sent.push(p)
  }

  /** Waits for every answer; throws the first failure, in the order sent. */
  async settle(): Promise<void> {
    for (const p of this.sent.splice(0)) await p
  }
}

/** A connection's socket, where `on` is one connection rather than a pool. */
type Corkable = { cork(): void; uncork(): void }

function socketOf(on: Queryable): Corkable | null {
  const stream = (on as { connection?: { stream?: Partial<Corkable> } }).connection?.stream
  return stream?.cork && stream.uncork ? (stream as Corkable) : null
}

/**
 * Holds what the statements sent in this turn of the event loop write to the connection, and lets it
 * go as one write at the end of the turn. On a pipelined connection an attempt sends several
 * statements at once (the lease with the reads behind it; BEGIN and the writes of a transaction), and
 * pg writes each on its own: a system call, and a wake of the server's process, apiece. A team's
 * batch is bound by the cores of the computers it runs on as soon as the gateway is quick
 * (docs/team-mode.md B8.5, "Measured"), and those wakes were a large part of it.
 */
function corkForTurn(socket: Corkable | null, held: { now: boolean }): void {
  if (!socket || held.now) return
  held.now = true
  socket.cork()
  process.nextTick(() => {
    held.now = false
    socket.uncork()
  })
}

/**
 * `unanswered`: on a pipelined connection in a transaction, `send` leaves its statement in flight
 * there, and every query answered checks them first.
 */
export function pgExec(on: Queryable, unanswered?: Unanswered): Exec {
  const socket = socketOf(on)
  const held = { now: false }
  const query = <R>(sql: string, params: readonly unknown[], how?: QueryHow) => {
    const { text, name } = prepared(sql)
    corkForTurn(socket, held)
    // A named statement is planned for its values only its first five runs on a connection; then
    // PostgreSQL may keep one generic plan for every value. An unnamed one is planned at each call.
    return (on as pg.Pool).query<R & pg.QueryResultRow>({
      ...(how?.planEach ? {} : { name }),
      text,
      values: [...params],
    })
  }
  const answer = async <R>(sql: string, params: readonly unknown[], how?: QueryHow) => {
    const res = query<R>(sql, params, how)
    if (unanswered) {
      res.catch(() => undefined)
      await unanswered.settle()
    }
    return res
  }
  return {
    dialect: 'pg',
    allSync() {
      throw new Error('a PostgreSQL query has no synchronous form: run the store function with .async')
    },
    async all<R>(sql: string, params: readonly unknown[], how?: QueryHow) {
      return (await answer<R>(sql, params, how)).rows as R[]
    },
    runSync() {
      throw new Error('a PostgreSQL statement has no synchronous form: run the store function with .async')
    },
    async run(sql: string, params: readonly unknown[]) {
      return (await answer(sql, params)).rowCount ?? 0
    },
    async send(sql: string, params: readonly unknown[]) {
      if (unanswered) unanswered.add(query(sql, params))
      else await answer(sql, params)
    },
  }
}
