import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoreChangedEvent } from '../../src/shared/live'
import { ServiceContext } from '../../src/main/services/context'
import { dataVersionSignal, type ChangeSignal } from '../../src/main/services/live/change-signal'
import { StoreWatch } from '../../src/main/services/live/store-watch'
import { createBatchOf, runBatch } from '../../src/main/services/sync'
import { openStore, type Db } from '../../src/main/store/connection'
import { batchStates, readHeads } from '../../src/main/store/heads'
import { writeSettings } from '../../src/main/store/settings'
import { addAnomaly, addRecord } from '../helpers/head-rows'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// The window follows the others (docs/team-mode.md B8.5): two connections on one file, as the app and
// a cron run or a second `paysync serve` on the same books. What the other commits reaches this
// process's listeners as one `store.changed` with the topics that moved; its own writes and writes
// the window does not list reach them as nothing; with no listener nothing is watched. The poll runs
// every 10 ms here, and the tests wait for readings and events, never for a time.

/** A count a test can wait on. */
function counter() {
  let n = 0
  const waiting: Array<{ at: number; resolve: () => void }> = []
  return {
    get n() {
      return n
    },
    bump() {
      n += 1
      for (const w of waiting.filter((x) => n >= x.at)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve()
      }
    },
    reach(k: number): Promise<void> {
      return n >= k ? Promise.resolve() : new Promise((resolve) => waiting.push({ at: k, resolve }))
    },
  }
}

let w: World
let other: Db
let watch: StoreWatch
let reads: ReturnType<typeof counter>
let watching: ReturnType<typeof counter>
let events: StoreChangedEvent[]
let told: ReturnType<typeof counter>
let off: (() => void) | null
const contexts: ServiceContext[] = []

beforeEach(async () => {
  w = await createWorld()
  other = openStore(w.dbFile)
  reads = counter()
  watching = counter()
  told = counter()
  events = []
  const signal = dataVersionSignal(w.ctx.db, { everyMs: 10 })
  // The SQLite signal, counted: how many times it was started, so a test sees the timer come and go.
  const counted: ChangeSignal = {
    watch(onHint) {
      watching.bump()
      return signal.watch(onHint)
    },
  }
  watch = new StoreWatch(w.ctx, {
    signal: counted,
    reader: {
      async heads() {
        const h = readHeads(w.ctx.db)
        // After the reading is compared and told: that runs within a few turns of this promise.
        setImmediate(() => setImmediate(() => reads.bump()))
        return h
      },
      batchStates: async (ids) => batchStates(w.ctx.db, ids),
    },
  })
  watch.start()
  off = null
})
afterEach(async () => {
  off?.()
  await watch.stop()
  other.close()
  for (const c of contexts.splice(0)) await c.close()
  await w.close()
})

/** Listens as a window does, and waits for the starting reading. */
async function listen(): Promise<void> {
  const start = reads.n
  off = w.ctx.on('store.changed', (e) => {
    events.push(e)
    told.bump()
  })
  await reads.reach(start + 1)
}

describe('the watch of other processes’ changes', () => {
  it('tells a commit of another connection once, with what moved', async () => {
    await listen()
    const merchant = w.merchantId('ali')
    const anomaly = addAnomaly(other, merchant, 1, Date.now())
    await told.reach(1)
    expect(events).toEqual([
      {
        topics: ['anomalies'],
        added: { batches: 0, anomalies: 1, statements: 0, records: 0, merchants: 0 },
        batches: [],
        running: [],
        openAnomalies: 1,
      },
    ])
    expect(anomaly).toBeGreaterThan(0)

    // Another commit the window does not list: read, and nothing told.
    const before = reads.n
    writeSettings(other, { operatorName: 'someone else' })
    await reads.reach(before + 1)
    // The next event holds the next change alone.
    addRecord(other, merchant, { at: Date.now() })
    await told.reach(2)
    expect(events[1]).toMatchObject({ topics: ['records'], added: { records: 1 } })
    expect(events).toHaveLength(2)
  })

  it('tells nothing of this process’s own writes, and compares the next change with them', async () => {
    await listen()
    const merchant = w.merchantId('ali')
    const before = reads.n
    addAnomaly(w.ctx.db, merchant, 1, Date.now())
    addRecord(w.ctx.db, merchant, { at: Date.now() })
    // Read as this process's own: the new starting point, nothing told.
    await reads.reach(before + 1)
    expect(events).toEqual([])

    addRecord(other, merchant, { at: Date.now() })
    await told.reach(1)
    // Only the other's record: the own anomaly and record were already the starting point.
    expect(events).toEqual([
      {
        topics: ['records'],
        added: { batches: 0, anomalies: 0, statements: 0, records: 1, merchants: 0 },
        batches: [],
        running: [],
        openAnomalies: 1,
      },
    ])
  })

  it('follows a batch another process runs, to its end', async () => {
    await listen()
    const ids = [1, 2, 3].map((i) => {
      w.gatewayOrder({ merchant: 'ali', orderNo: `O${i}`, amount: 1000, state: 'TRADE_SUCCESS' })
      return w.payOrder({ merchant: 'ali', orderNo: `O${i}`, amount: 1000 })
    })
    const cron = new ServiceContext({
      dbFile: w.dbFile,
      retry: FAST_RETRY,
      transport: 'cli',
      operator: 'cron',
    })
    contexts.push(cron)
    const batchId = createBatchOf(
      cron,
      ids.map((id) => ({ type: 'pay' as const, id })),
      { concurrency: 1, qps: 50 },
    )
    const last = await runBatch(cron, batchId)
    expect(last.status).toBe('done')
    // Told of the batch until the event that says it is done.
    while (!events.some((e) => e.batches.some((b) => b.id === batchId && b.status === 'done')))
      await told.reach(told.n + 1)
    expect(events.every((e) => e.topics.length > 0)).toBe(true)
    expect(events.flatMap((e) => e.topics)).toEqual(expect.arrayContaining(['batches', 'records']))
    expect(events.reduce((n, e) => n + e.added.records, 0)).toBe(3)
    expect(events.reduce((n, e) => n + e.added.batches, 0)).toBe(1)
    expect(events.at(-1)!.running).toEqual([])
  })

  it('leaves out the batches this process runs: their screen hears of them already', async () => {
    await listen()
    w.gatewayOrder({ merchant: 'ali', orderNo: 'O1', amount: 1000, state: 'TRADE_SUCCESS' })
    const id = w.payOrder({ merchant: 'ali', orderNo: 'O1', amount: 1000 })
    const batchId = createBatchOf(w.ctx, [{ type: 'pay', id }], { concurrency: 1, qps: 50 })
    const progress: string[] = []
    const offProgress = w.ctx.on('batch.progress', (p) => progress.push(p.status))
    await runBatch(w.ctx, batchId)
    offProgress()
    expect(progress).toContain('done')
    // A write of the other's after it: the next event holds it alone.
    const before = told.n
    addRecord(other, w.merchantId('ali'), { at: Date.now() })
    await told.reach(before + 1)
    expect(events.flatMap((e) => e.batches.map((b) => b.id))).not.toContain(batchId)
  })

  it('watches only while someone listens', async () => {
    // Nobody listens: no timer, nothing read.
    expect(watch.watching).toBe(false)
    expect(watching.n).toBe(0)
    await listen()
    expect(watch.watching).toBe(true)
    expect(watching.n).toBe(1)
    // A second listener shares the one watch.
    const second = w.ctx.on('store.changed', () => {})
    await Promise.resolve()
    expect(watching.n).toBe(1)
    second()
    off!()
    off = null
    await Promise.resolve()
    expect(watch.watching).toBe(false)

    // Written while nobody listened: a new listener starts from what is there, with nothing to tell.
    addAnomaly(other, w.merchantId('ali'), 1, Date.now())
    const before = reads.n
    await listen()
    expect(watching.n).toBe(2)
    addRecord(other, w.merchantId('ali'), { at: Date.now() })
    await told.reach(1)
    expect(reads.n).toBeGreaterThan(before)
    expect(events).toEqual([expect.objectContaining({ topics: ['records'], openAnomalies: 1 })])
  })
})
