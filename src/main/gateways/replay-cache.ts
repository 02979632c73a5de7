// The signed answers a merchant's adapter has already received, for as long as a copy of one could
// still pass for fresh (docs/domain.md 6.4). A gateway signs what it answers, not what it was asked,
// so an intermediary on the path (a TLS-inspecting proxy, an HTTP hop) can keep a genuine answer and
// send it again, as the answer to another question or to the same one later: a paid answer for an
// unpaid order, a close's 204 for another order's close (issue 13, finding M1, proven that way). Each
// protocol names what makes one of its answers unique: WeChat Pay's serial, nonce and timestamp, a
// DaxPay signature, a UnionPay signature. Memory is bounded: entries expire, and past `capacity` the
// oldest go first.

/** How long an answer is remembered: twice the five minutes any protocol accepts an answer's time. */
export const REPLAY_KEEP_MS = 600_000

/** Answers remembered per merchant at most: at 30 answers a second, the whole keep time. */
const CAPACITY = 20_000

/** What a sighting of an answer is checked against. */
export interface Sighting {
  /** What the answer is taken to answer: our trade and the call, e.g. `pay P1`. */
  question: string
  /**
   * The gateway answers the same question with the same signed bytes (its answers carry neither a
   * nonce nor a time: UnionPay): seen again for the same question, it is the gateway saying it again.
   */
  sameQuestionRepeats?: boolean
  /**
   * Honest answers this close in time may be byte-identical, whatever the question (a time in whole
   * seconds and nothing else unique, as DaxPay 2.x signs): within it a repeat is no replay.
   */
  twinMs?: number
}

interface Seen {
  at: number
  question: string
}

export class ReplayCache {
  /** In the order first seen, which is also the order of expiry. */
  private readonly seen = new Map<string, Seen>()

  constructor(
    private readonly now: () => number,
    private readonly keepMs = REPLAY_KEEP_MS,
    private readonly capacity = CAPACITY,
  ) {}

  /** Answers remembered now. */
  get size(): number {
    this.expire(this.now())
    return this.seen.size
  }

  /**
   * Notes a verified answer by its key; says why it is a replay (a sentence for the record), or null
   * when it is not one. A replay is not remembered again: the first sighting decides how long a key
   * is kept.
   */
  check(key: string, s: Sighting): string | null {
    const now = this.now()
    this.expire(now)
    const before = this.seen.get(key)
    if (!before) {
      this.seen.set(key, { at: now, question: s.question })
      if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!)
      return null
    }
    const ago = now - before.at
    if (s.sameQuestionRepeats && before.question === s.question) return null
    if (s.twinMs !== undefined && ago <= s.twinMs) return null
    return `this signed answer was already received ${Math.round(ago / 1000)} s ago, as the answer to ${before.question}: a copy proves nothing about ${s.question} now`
  }

  private expire(now: number): void {
    for (const [key, entry] of this.seen) {
      if (now - entry.at < this.keepMs) break
      this.seen.delete(key)
    }
  }
}
