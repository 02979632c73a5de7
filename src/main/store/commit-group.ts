import type Database from 'better-sqlite3'
import type { Db } from './connection'
import { storageFaultOf } from './faults'

// Group commit for the writes of many syncs (issue 16): the leases and final writes that come due in
// one turn of the event loop (the answers that arrived together, the attempts that started together)
// share one immediate transaction, each in a savepoint of its own. SQLite's cost is mostly per
// commit (the WAL frames of the pages a commit touched, and the lock), and the writes of neighbouring
// syncs touch the same pages: the records' and the batch items' last leaves, the lease table, the
// per-day counts. Nobody learns of a member's write before the shared commit: its promise settles
// after it, so what depends on the write (the gateway call after a lease, the batch item counted, the
// lease seen released) comes after it is in the database, as with a commit of its own.
//
// The write lock is waited for on a timer, not in SQLite's busy handler. That handler sleeps on this
// thread, and with it the event loop: the gateway calls in flight, their answers and the rate gate's
// timers stop while another process commits (two processes sharing one batch lost a tenth of their
// time so, docs/team-mode.md B8.5). So BEGIN IMMEDIATE is tried with the busy timeout at zero; when
// another connection holds the lock, the members wait (those due meanwhile join them) and it is tried
// again after 1, 2, 4 ... 25 ms, each wait a little shorter or longer than the last doubled, so that two
// processes waiting alike do not try again in step. A member waits as long as the busy timeout would
// have held it, from the turn it joined; past that it gets SQLite's own SQLITE_BUSY, the storage fault
// it got from the busy handler. The timeout is set back as soon as BEGIN has answered: the members'
// statements and every other write on the connection keep SQLite's normal busy wait.

interface Member {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
  /** performance.now() when it joined: its wait for the write lock counts from there. */
  joined: number
}

type Settled = { ok: true; value: unknown } | { ok: false; err: unknown }

const FIRST_WAIT_MS = 1
const LONGEST_WAIT_MS = 25

interface Statements {
  timeout: Database.Statement
  noWait: Database.Statement
  begin: Database.Statement
  commit: Database.Statement
  rollback: Database.Statement
  /** `PRAGMA busy_timeout = n`, per value the connection had. */
  restore: Map<number, Database.Statement>
}

export class CommitGroup {
  private waiting: Member[] = []
  private scheduled = false
  /** The next wait for the lock; back to the first once it is taken. */
  private wait = FIRST_WAIT_MS
  private sql: Statements | null = null

  constructor(private readonly db: Db) {}

  /**
   * Runs `work` in the next shared transaction and settles once that has committed: with the work's
   * result, or its error. An error that is not the storage's rolls back this member alone (its
   * savepoint); a storage fault refuses the whole transaction, and every member gets it, as each
   * would have on its own (the disk is full, or the database locked, for all of them alike).
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (v: unknown) => void, reject, joined: performance.now() })
      if (!this.scheduled) {
        this.scheduled = true
        // After the poll phase: every answer read in this turn has joined by then. A microtask would
        // run after each socket's callback, and groups would be of one.
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    const members = this.waiting
    this.waiting = []
    this.scheduled = false
    // A transaction already open on this connection (a read kept in one snapshot, connection.ts
    // inOneSnapshot): the members are savepoints in it, as any nested transaction, with no BEGIN.
    if (this.db.inTransaction) {
      this.settle(members, () => this.db.transaction(() => this.runMembers(members))())
      return
    }
    let refused: unknown
    let timeoutMs: number
    try {
      ;({ refused, timeoutMs } = this.begin())
    } catch (err) {
      for (const m of members) m.reject(err)
      return
    }
    if (refused) {
      this.waitForLock(members, refused, timeoutMs)
      return
    }
    this.wait = FIRST_WAIT_MS
    const s = this.statements()
    this.settle(members, () => {
      try {
        const settled = this.runMembers(members)
        s.commit.run()
        return settled
      } catch (err) {
        if (this.db.inTransaction) s.rollback.run()
        throw err
      }
    })
  }

  /** BEGIN IMMEDIATE without SQLite's busy wait: `refused` is its SQLITE_BUSY when another holds the lock. */
  private begin(): { refused: unknown; timeoutMs: number } {
    const s = this.statements()
    const timeoutMs = s.timeout.get() as number
    s.noWait.get()
    try {
      s.begin.run()
      return { refused: null, timeoutMs }
    } catch (err) {
      if (storageFaultOf(err) !== 'db_locked') throw err
      return { refused: err, timeoutMs }
    } finally {
      let restore = s.restore.get(timeoutMs)
      if (!restore) {
        restore = this.db.prepare(`PRAGMA busy_timeout = ${Math.trunc(timeoutMs)}`)
        s.restore.set(timeoutMs, restore)
      }
      restore.get()
    }
  }

  /**
   * The lock is held elsewhere: the members whose wait has reached the busy timeout get the refusal,
   * the others wait for the next try, in their order, ahead of those that join meanwhile.
   */
  private waitForLock(members: Member[], refused: unknown, timeoutMs: number): void {
    const now = performance.now()
    const still = members.filter((m) => now - m.joined < timeoutMs)
    for (const m of members) if (!still.includes(m)) m.reject(refused)
    if (still.length === 0) return
    this.waiting = still.concat(this.waiting)
    this.scheduled = true
    const deadline = Math.min(...still.map((m) => m.joined + timeoutMs))
    const jittered = this.wait * (0.75 + Math.random() * 0.5)
    this.wait = Math.min(this.wait * 2, LONGEST_WAIT_MS)
    setTimeout(() => this.flush(), Math.max(1, Math.min(jittered, deadline - now)))
  }

  /** Each member in a savepoint of its own; a storage fault is thrown, to refuse the whole commit. */
  private runMembers(members: Member[]): Settled[] {
    const settled: Settled[] = []
    for (const m of members) {
      try {
        settled.push({ ok: true, value: this.db.transaction(m.work)() })
      } catch (err) {
        if (storageFaultOf(err)) throw err
        settled.push({ ok: false, err })
      }
    }
    return settled
  }

  /** Settles the members once `commit` has returned; all of them with its error if it threw. */
  private settle(members: Member[], commit: () => Settled[]): void {
    let settled: Settled[]
    try {
      settled = commit()
    } catch (err) {
      for (const m of members) m.reject(err)
      return
    }
    members.forEach((m, i) => {
      const s = settled[i]!
      if (s.ok) m.resolve(s.value)
      else m.reject(s.err)
    })
  }

  private statements(): Statements {
    this.sql ??= {
      timeout: this.db.prepare('PRAGMA busy_timeout').pluck(),
      noWait: this.db.prepare('PRAGMA busy_timeout = 0'),
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      commit: this.db.prepare('COMMIT'),
      rollback: this.db.prepare('ROLLBACK'),
      restore: new Map(),
    }
    return this.sql
  }
}

const groups = new WeakMap<Db, CommitGroup>()

/** The commit group of a database handle: one per handle, so that every engine on it shares it. */
export function commitGroupOf(db: Db): CommitGroup {
  let g = groups.get(db)
  if (!g) {
    g = new CommitGroup(db)
    groups.set(db, g)
  }
  return g
}
