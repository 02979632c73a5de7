import type { Db } from '../../store/connection'
import { commitCounters } from '../../store/heads'

// The part of following the others that says "something may have changed" (docs/team-mode.md B8.5,
// "The window follows the others"), with a form per store. What changed is read from the store's heads
// by whoever is told; a hint is never the news itself, so a missed or an extra one costs a reading at
// most.
//
// On SQLite the others are the processes (and this one's threads) that write the same file: a file
// tells no one, but PRAGMA data_version on this process's connection moves whenever another
// connection commits, and reading it touches no page of the file, so it is asked twice a second while
// someone listens. On PostgreSQL the form is a coordination message: the writers `notify` the topic
// `store_changed` after they commit, and the listener's `listen` hands each message on as `others`
// (store/coordination/, pg-messages.ts keeps listening across a dropped connection); it comes with
// the engine on PostgreSQL, which is what would send them.

/**
 * Who committed since the last hint: `others` (another connection, maybe this one too) or `own` (this
 * process's connection only, whose writes its windows already hear of through their own events).
 */
export type CommitHint = 'others' | 'own'

export interface ChangeSignal {
  /** Starts telling `onHint` of commits; the function it returns stops that. */
  watch(onHint: (hint: CommitHint) => void): () => void
}

export interface DataVersionOptions {
  /** How often the counters are read (default 500 ms). */
  everyMs?: number
}

/** SQLite's form: the connection's commit counters, read on a timer that never keeps the process up. */
export function dataVersionSignal(db: Db, options: DataVersionOptions = {}): ChangeSignal {
  const everyMs = options.everyMs ?? 500
  return {
    watch(onHint) {
      let last = commitCounters(db)
      const timer = setInterval(() => {
        // A connection closed under a timer that was not stopped yet: nothing more to tell.
        if (!db.open) return
        const now = commitCounters(db)
        const hint: CommitHint | null =
          now.others !== last.others ? 'others' : now.own !== last.own ? 'own' : null
        last = now
        if (hint) onHint(hint)
      }, everyMs)
      timer.unref()
      return () => clearInterval(timer)
    },
  }
}
