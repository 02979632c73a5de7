import type { Leadership, LeadershipEnd } from './types'

// One holder's leadership, whatever holds it on its store: it ends once, released by its holder or
// lost, and says which.

export class Held implements Leadership {
  readonly ended: Promise<LeadershipEnd>
  private settle!: (how: LeadershipEnd) => void
  private over = false

  constructor(
    readonly name: string,
    readonly owner: string,
    /** Gives the leadership up in the store; called once, by release. */
    private readonly giveUp: () => Promise<void>,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve))
  }

  held(): boolean {
    return !this.over
  }

  /** The store says the leadership is gone (or the holder gave it up): said once. */
  end(how: LeadershipEnd): void {
    if (this.over) return
    this.over = true
    this.settle(how)
  }

  async release(): Promise<void> {
    if (this.over) return
    // Ended first: the connection a release closes must not report the leadership lost.
    this.end('released')
    await this.giveUp()
  }
}
