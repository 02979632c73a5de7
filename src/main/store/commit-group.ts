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

interface Member {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

export class CommitGroup {
  private waiting: Member[] = []
  private scheduled = false

  constructor(private readonly db: Db) {}

  /**
   * Runs `work` in the next shared transaction and settles once that has committed: with the work's
   * result, or its error. An error that is not the storage's rolls back this member alone (its
   * savepoint); a storage fault refuses the whole transaction, and every member gets it, as each
   * would have on its own (the disk is full, or the database locked, for all of them alike).
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (v: unknown) => void, reject })
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
    const settled: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = []
    try {
      this.db
        .transaction(() => {
          for (const m of members) {
            try {
              settled.push({ ok: true, value: this.db.transaction(m.work)() })
            } catch (err) {
              if (storageFaultOf(err)) throw err
              settled.push({ ok: false, err })
            }
          }
        })
        .immediate()
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
