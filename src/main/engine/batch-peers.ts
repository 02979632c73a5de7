import type { Coordination } from '../store/coordination/types'
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
 * at most: a joiner waits two of these and the window before its first call, and the others run at
 * the smaller share meanwhile, so this rather than the 5 s heartbeat is what a join costs the batch.
 */
export const PEER_CHECK_MS = 250

export class BatchPeers {
  private readonly prefix: string
  private readonly key: string
  private runners = 1

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

  /** Registers this runner (again, if its registration lapsed) and counts the live runners. */
  async refresh(): Promise<number> {
    const c = this.coordination
    if (!(await c.renewLease(this.key, this.owner, this.ttlMs)))
      await c.acquireLease(this.key, this.owner, this.ttlMs)
    let live = 0
    for (const owner of await c.leaseOwners(this.prefix)) {
      if (owner !== this.owner && ownerIsDeadHere(owner)) await c.releaseLease(this.prefix + owner, owner)
      else if (owner !== this.owner) live += 1
    }
    this.runners = live + 1
    return this.runners
  }

  /**
   * Counts the live runners without renewing this one's registration: the check between heartbeats.
   * A runner of a dead process still counts until the heartbeat lets it go (a smaller share meanwhile).
   */
  async look(): Promise<number> {
    const others = (await this.coordination.leaseOwners(this.prefix)).filter((o) => o !== this.owner)
    this.runners = others.length + 1
    return this.runners
  }

  /** Says this runner is gone: at once when it was alone, else after the gateway's window. */
  async leave(): Promise<void> {
    const others = (await this.coordination.leaseOwners(this.prefix)).filter((o) => o !== this.owner)
    if (others.length === 0) await this.coordination.releaseLease(this.key, this.owner)
    else await this.coordination.renewLease(this.key, this.owner, RATE_WINDOW_MS)
  }
}
