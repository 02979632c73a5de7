import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Coordination, Leadership, Payload } from '../../src/main/store/coordination/types'

// One contract for what desktops sharing a store need to work together (docs/team-mode.md B8.5),
// run against each store by its own file: tests/store/coordination.test.ts (two connections on one
// SQLite file) and tests/pg/coordination.test.ts (two pools on one PostgreSQL database). Every case
// names what breaks if the store's form of it is wrong.

/** Two desktops on one store, and what the contract needs to set a scene and look at it. */
export interface CoordinationWorld {
  a: Coordination
  b: Coordination
  /** A batch of `items` pending items; its id. */
  addBatch(items: number): Promise<number>
  /** Marks items done, as the engine does when it has synced them. */
  finish(itemIds: number[]): Promise<void>
  /** Who holds each item of the batch, by item id (null: nobody). */
  holders(batchId: number): Promise<Map<number, string | null>>
  /** Desktop a dies while it leads `name`: its leader's connection is cut, or its file handle closed. */
  killLeaderA(name: string): Promise<void>
  /** How long a dead leader can keep the others waiting on this store, at most. */
  deadLeaderMs: number
  close(): Promise<void>
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Resolves with the first value `fn` gives that is not null, asking every 50 ms until `ms` pass. */
async function eventually<T>(fn: () => Promise<T | null>, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== null) return v
    if (Date.now() > deadline) throw new Error(`nothing within ${ms} ms`)
    await sleep(50)
  }
}

/** The first message a handler gets, or a failure after `ms`. */
function nextMessage(ms = 5_000): { handler: (p: Payload) => void; message: Promise<Payload> } {
  let handler!: (p: Payload) => void
  const message = new Promise<Payload>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms)
    handler = (p) => {
      clearTimeout(timer)
      resolve(p)
    }
  })
  return { handler, message }
}

export function coordinationContract(store: string, open: () => Promise<CoordinationWorld>): void {
  describe(`working together on ${store}`, () => {
    let w: CoordinationWorld
    beforeEach(async () => {
      w = await open()
    })
    afterEach(async () => {
      await w.close()
    })

    it('gives a lease to one desktop at a time', async () => {
      expect(await w.a.acquireLease('pay:1', 'A', 60_000)).toBe(true)
      expect(await w.b.acquireLease('pay:1', 'B', 60_000)).toBe(false)
      expect(await w.b.renewLease('pay:1', 'B', 60_000)).toBe(false)
      // Another's release leaves the lease where it is.
      await w.b.releaseLease('pay:1', 'B')
      expect(await w.b.acquireLease('pay:1', 'B', 60_000)).toBe(false)
      expect(await w.b.acquireLease('pay:2', 'B', 60_000)).toBe(true)
      await w.a.releaseLease('pay:1', 'A')
      expect(await w.b.acquireLease('pay:1', 'B', 60_000)).toBe(true)
    })

    it('keeps a renewed lease past its first expiry', async () => {
      expect(await w.a.acquireLease('pay:1', 'A', 1_000)).toBe(true)
      await sleep(600)
      expect(await w.a.renewLease('pay:1', 'A', 2_000)).toBe(true)
      await sleep(700)
      expect(await w.b.acquireLease('pay:1', 'B', 60_000)).toBe(false)
    })

    it("lets the other take an expired lease, and the first one's renewal then fails", async () => {
      expect(await w.a.acquireLease('pay:1', 'A', 100)).toBe(true)
      await sleep(300)
      expect(await w.b.acquireLease('pay:1', 'B', 60_000)).toBe(true)
      expect(await w.a.renewLease('pay:1', 'A', 60_000)).toBe(false)
      expect(await w.a.acquireLease('pay:1', 'A', 60_000)).toBe(false)
    })

    it('shares a batch between two desktops claiming at once: every item once, none twice', async () => {
      const batch = await w.addBatch(2_000)
      await Promise.all([w.a.now(), w.b.now()])
      const got = new Map<string, number[]>([
        ['A', []],
        ['B', []],
      ])
      // Two claimers a desktop, all four at once, each until nothing is left.
      const claimer = async (c: Coordination, owner: string) => {
        for (;;) {
          const items = await c.claimItems(batch, owner, 50, 60_000)
          if (items.length === 0) return
          expect(items.every((i) => i.batchId === batch && i.tradeType === 'pay')).toBe(true)
          got.get(owner)!.push(...items.map((i) => i.id))
        }
      }
      await Promise.all([claimer(w.a, 'A'), claimer(w.b, 'B'), claimer(w.a, 'A'), claimer(w.b, 'B')])
      const all = [...got.get('A')!, ...got.get('B')!]
      expect(new Set(all).size).toBe(all.length)
      expect(all).toHaveLength(2_000)
      expect(got.get('A')!.length).toBeGreaterThan(0)
      expect(got.get('B')!.length).toBeGreaterThan(0)
      const holders = await w.holders(batch)
      for (const [owner, ids] of got) for (const id of ids) expect(holders.get(id)).toBe(owner)
      expect([...holders.values()].every((h) => h !== null)).toBe(true)
    })

    it("hands a desktop's expired claims to the other, and none that a live claim holds", async () => {
      const batch = await w.addBatch(10)
      const mine = await w.a.claimItems(batch, 'A', 100, 500)
      expect(mine).toHaveLength(10)
      expect(mine.map((i) => i.id)).toEqual([...mine.map((i) => i.id)].sort((x, y) => x - y))
      expect(await w.b.claimItems(batch, 'B', 100, 60_000)).toEqual([])
      await sleep(1_000)
      const taken = await w.b.claimItems(batch, 'B', 100, 60_000)
      expect(taken.map((i) => i.id)).toEqual(mine.map((i) => i.id))
      expect(await w.a.renewClaims(batch, 'A', 60_000)).toBe(0)
      expect(await w.a.releaseClaim(mine[0]!.id, 'A')).toBe(false)
      expect([...(await w.holders(batch)).values()]).toEqual(Array(10).fill('B'))
    })

    it('keeps renewed claims, and lets a released item go at once', async () => {
      const batch = await w.addBatch(5)
      const mine = await w.a.claimItems(batch, 'A', 100, 1_000)
      await sleep(600)
      expect(await w.a.renewClaims(batch, 'A', 2_000)).toBe(5)
      await sleep(700)
      expect(await w.b.claimItems(batch, 'B', 100, 60_000)).toEqual([])
      expect(await w.a.releaseClaim(mine[2]!.id, 'A')).toBe(true)
      const taken = await w.b.claimItems(batch, 'B', 100, 60_000)
      expect(taken.map((i) => i.id)).toEqual([mine[2]!.id])
      expect(taken[0]!.claimExpiresAt).toBeGreaterThan(await w.b.now())
    })

    it('never claims a finished item, expired claim or not', async () => {
      const batch = await w.addBatch(10)
      const ids = [...(await w.holders(batch)).keys()].sort((x, y) => x - y)
      await w.finish(ids.slice(0, 4))
      const mine = await w.a.claimItems(batch, 'A', 100, 150)
      expect(mine.map((i) => i.id)).toEqual(ids.slice(4))
      await w.finish(ids.slice(4, 6))
      await sleep(400)
      const taken = await w.b.claimItems(batch, 'B', 100, 60_000)
      expect(taken.map((i) => i.id)).toEqual(ids.slice(6))
      expect(await w.b.renewClaims(batch, 'B', 60_000)).toBe(4)
    })

    it("lists a prefix's live leases by owner, for a batch's runners to count one another", async () => {
      const owners = async (c: Coordination, prefix: string) =>
        (await c.leaseHolders(prefix)).map((h) => h.owner)
      const t0 = await w.a.now()
      expect(await w.a.acquireLease('batch:7:runner:A', 'A', 60_000)).toBe(true)
      expect(await w.b.acquireLease('batch:7:runner:B', 'B', 300)).toBe(true)
      expect(await w.b.acquireLease('batch:70:runner:C', 'C', 60_000)).toBe(true)
      expect(await w.b.acquireLease('pay:7', 'D', 60_000)).toBe(true)
      const held = await w.b.leaseHolders('batch:7:runner:')
      expect(held.map((h) => h.owner)).toEqual(['A', 'B'])
      // Each with its expiry on the store's clock: a joiner tells by it who has renewed since it came.
      expect(held[0]!.expiresAt).toBeGreaterThanOrEqual(t0 + 60_000)
      expect(held[1]!.expiresAt).toBeLessThan(t0 + 60_000)
      await sleep(20)
      expect(await w.a.renewLease('batch:7:runner:A', 'A', 60_000)).toBe(true)
      expect((await w.a.leaseHolders('batch:7:runner:A'))[0]!.expiresAt).toBeGreaterThan(held[0]!.expiresAt)
      await sleep(500)
      // B's registration expired: it is no longer counted, on either desktop.
      expect(await owners(w.a, 'batch:7:runner:')).toEqual(['A'])
      await w.a.releaseLease('batch:7:runner:A', 'A')
      expect(await owners(w.a, 'batch:7:runner:')).toEqual([])
      expect(await owners(w.a, 'batch:70:')).toEqual(['C'])
    })

    it("lets a desktop's claims go in one call but those it keeps, and tells who holds what", async () => {
      const batch = await w.addBatch(10)
      const mine = await w.a.claimItems(batch, 'A', 6, 60_000)
      const theirs = await w.b.claimItems(batch, 'B', 2, 60_000)
      expect(await w.a.claimHolders(batch)).toEqual([
        { owner: null, items: 2, expiresAt: null },
        { owner: 'A', items: 6, expiresAt: Math.max(...mine.map((i) => i.claimExpiresAt)) },
        { owner: 'B', items: 2, expiresAt: Math.max(...theirs.map((i) => i.claimExpiresAt)) },
      ])
      // A keeps its first two (in flight), lets the other four go; B's stay B's.
      const keep = mine.slice(0, 2).map((i) => i.id)
      expect(await w.a.releaseClaims(batch, 'A', keep)).toBe(4)
      expect(await w.b.releaseClaims(batch, 'A')).toBe(2)
      expect(await w.a.releaseClaims(batch, 'A')).toBe(0)
      const holders = await w.holders(batch)
      expect(theirs.map((i) => holders.get(i.id))).toEqual(['B', 'B'])
      expect([...holders.values()].filter((h) => h === null)).toHaveLength(8)
      await w.finish([...holders.keys()])
      expect(await w.b.claimHolders(batch)).toEqual([])
    })

    it('has one leader of a job, and the other leads once it lets go', async () => {
      expect(await w.b.leaderOf('nightly')).toBeNull()
      const lead = await w.a.lead('nightly', 'A')
      expect(lead?.held()).toBe(true)
      expect(await w.b.lead('nightly', 'B')).toBeNull()
      // Both desktops can tell who leads, the leader included.
      expect(await w.b.leaderOf('nightly')).toBe('A')
      expect(await w.a.leaderOf('nightly')).toBe('A')
      // Another job has a leader of its own.
      const other = await w.b.lead('auto_reconcile', 'B')
      expect(other).not.toBeNull()
      await lead!.release()
      expect(lead!.held()).toBe(false)
      expect(await lead!.ended).toBe('released')
      const next = await w.b.lead('nightly', 'B')
      expect(next?.held()).toBe(true)
      expect(await w.a.lead('nightly', 'A')).toBeNull()
      expect(await w.a.leaderOf('nightly')).toBe('B')
      expect(await w.a.leaderOf('auto_reconcile')).toBe('B')
      await next!.release()
      await other!.release()
      expect(await w.a.leaderOf('nightly')).toBeNull()
    })

    it('gives the leadership of a desktop that dies to the other, and tells the dead one', async () => {
      const lead: Leadership | null = await w.a.lead('nightly', 'A')
      expect(lead).not.toBeNull()
      expect(await w.b.lead('nightly', 'B')).toBeNull()
      const started = Date.now()
      await w.killLeaderA('nightly')
      const next = await eventually(() => w.b.lead('nightly', 'B'), w.deadLeaderMs + 5_000)
      expect(Date.now() - started).toBeLessThan(w.deadLeaderMs + 5_000)
      expect(await w.b.leaderOf('nightly')).toBe('B')
      expect(await lead!.ended).toBe('lost')
      expect(lead!.held()).toBe(false)
      await next.release()
    })

    it("brings a message to the other desktop's listener, as JSON, until it stops listening", async () => {
      const first = nextMessage()
      const stop = await w.b.listen('batch_progress', first.handler)
      const payload = { batch: 7, done: 1_234, name: '十二月 对账', ok: true, missing: null }
      await w.a.notify('batch_progress', payload)
      expect(await first.message).toEqual(payload)
      await stop()
      const heard: Payload[] = []
      const again = await w.b.listen('anomalies', (p) => heard.push(p))
      await w.a.notify('batch_progress', { batch: 8 })
      await w.a.notify('anomalies', [1, 2])
      await sleep(500)
      expect(heard).toEqual([[1, 2]])
      await again()
    })

    it('takes topics as names only, messages small enough for PostgreSQL, and whole positive numbers', async () => {
      await expect(w.a.notify('x"; DROP TABLE batches; --', 1)).rejects.toThrow(TypeError)
      await expect(w.b.listen('Batch', () => {})).rejects.toThrow(TypeError)
      await expect(w.a.notify('big', 'x'.repeat(8_000))).rejects.toThrow(RangeError)
      await expect(w.a.acquireLease('pay:1', 'A', 1.5)).rejects.toThrow(RangeError)
      // A third of a longer one would not fit a timer (Node fires it at once, every millisecond).
      await expect(w.a.acquireLease('pay:1', 'A', 86_400_001)).rejects.toThrow(RangeError)
      const batch = await w.addBatch(3)
      await expect(w.a.claimItems(batch, 'A', -1, 60_000)).rejects.toThrow(RangeError)
      expect([...(await w.holders(batch)).values()]).toEqual([null, null, null])
    })
  })
}
