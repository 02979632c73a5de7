import type { Coordination, LeaseHolder } from '../store/coordination/types'
import { ownerIsDeadHere } from './owner'

// The runners of one batch, across processes (docs/team-mode.md B8.5). Each registers with a lease
// `batch:<id>:runner:<owner>` in the lease table, renewed on its heartbeat, so each can count the live
// runners and take its share of the batch's QPS and concurrency (batch-lanes.ts). A registration
// lapses with the claims' time to live when its process dies without a word; one of a process of this
// machine that is gone is let go at once.

/**
 * How long a runner that leaves while others run still counts: its last calls are in the gateway's
 * one-second window, and the others take a bigger share only once they are out of it.
 */
export const RATE_WINDOW_MS = 1_100

/**
 * How often a runner counts the others between its heartbeats (a read of the lease table, no write),
 * at most: a joiner waits for the others to take their smaller share, which they do at their next
 * count, so this rather than the 5 s heartbeat is what a join costs the batch.
 */
export const PEER_CHECK_MS = 250

/** How often a joiner reads whether the others have taken their smaller share. */
const ADMIT_POLL_MS = 40

/**
 * Takes this runner's share for `runners` runners: its limits divided, and once lower, its calls in
 * flight back within them.
 */
export type TakeShare = (runners: number) => Promise<void> | void

export class BatchPeers {
  private readonly prefix: string
  private readonly key: string
  private runners = 1
  private registered = false

  constructor(
    private readonly coordination: Coordination,
    batchId: number,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {
    this.prefix = `batch:${batchId}:runner:`
    this.key = this.prefix + owner
  }

  /** The live runners as last counted, this one included. */
  get count(): number {
    return this.runners
  }

  /**
   * Counts the live runners, takes this one's share for them, then registers this runner (again, if
   * its registration lapsed). The registration is renewed only after the share is taken: a renewal
   * seen by a joiner says that this runner has made room for it (`admitted`).
   */
  async refresh(share?: TakeShare): Promise<number> {
    const c = this.coordination
    // A joiner registers before it counts, so that of two joining at once at least one sees the other.
    if (!this.registered) this.registered = await c.acquireLease(this.key, this.owner, this.ttlMs)
    let live = 0
    for (const { owner } of await c.leaseHolders(this.prefix)) {
      if (owner !== this.owner && ownerIsDeadHere(owner)) await c.releaseLease(this.prefix + owner, owner)
      else if (owner !== this.owner) live += 1
    }
    this.runners = live + 1
    await share?.(this.runners)
    if (!(await c.renewLease(this.key, this.owner, this.ttlMs)))
      await c.acquireLease(this.key, this.owner, this.ttlMs)
    return this.runners
  }

  /**
   * Counts the live runners without renewing this one's registration: the check between heartbeats.
   * When the count changed, the share is taken and then the registration renewed, which tells a
   * joiner that this runner now leaves it room. A runner of a dead process still counts until the
   * heartbeat lets it go (a smaller share meanwhile).
   */
  async look(share: TakeShare): Promise<number> {
    const others = (await this.others()).length
    if (others + 1 !== this.runners) {
      this.runners = others + 1
      await share(this.runners)
      await this.coordination.renewLease(this.key, this.owner, this.ttlMs)
    }
    return this.runners
  }

  /**
   * A joiner's wait before its first call, once registered: until every runner already on the batch
   * has renewed its registration since, which each does only after taking its smaller share, its
   * calls in flight within it (`look`, `refresh`). Their calls under the larger share stay in the
   * gateway's window, but each runner's own pacing keeps counting them (gateways/rate-gate.ts
   * `retune`), so the two shares together stay within the limit. A runner that has gone left room
   * already; one that never answers (an older version, a process that hangs) is waited for `atMostMs`.
   */
  async admitted(atMostMs: number): Promise<void> {
    const seen = new Map((await this.others()).map((h) => [h.owner, h.expiresAt]))
    const until = Date.now() + atMostMs
    while (Date.now() < until) {
      const now = new Map((await this.others()).map((h) => [h.owner, h.expiresAt]))
      if ([...seen].every(([owner, at]) => !now.has(owner) || now.get(owner)! > at)) return
      await new Promise((r) => setTimeout(r, ADMIT_POLL_MS))
    }
  }

  /** Says this runner is gone: at once when it was alone, else after the gateway's window. */
  async leave(): Promise<void> {
    const others = await this.others()
    if (others.length === 0) await this.coordination.releaseLease(this.key, this.owner)
    else await this.coordination.renewLease(this.key, this.owner, RATE_WINDOW_MS)
  }

  private async others(): Promise<LeaseHolder[]> {
    return (await this.coordination.leaseHolders(this.prefix)).filter((h) => h.owner !== this.owner)
  }
}
