import { describe, expect, it } from 'vitest'
import { goneBatches, storeChanged, type MovedOptions } from '../../src/main/services/live/moved'
import type { Heads, OpenBatchHead } from '../../src/main/store/heads'

// What counts as a move between two readings of the heads (docs/team-mode.md B8.5): the event the
// window gets, or nothing.

const NOW = 1_800_000_000_000
const heads = (over: Partial<Heads> = {}): Heads => ({
  records: { maxId: 10 },
  anomalies: { maxId: 5, open: 2 },
  statements: { maxId: 3, updatedAt: 1_000 },
  batches: { maxId: 4, open: [] },
  merchants: { maxId: 2, updatedAt: 500 },
  removed: { at: 0 },
  ...over,
})
const open = (id: number, over: Partial<OpenBatchHead> = {}): OpenBatchHead => ({
  id,
  status: 'running',
  owner: 'other',
  heartbeatAt: NOW - 1_000,
  lastRecordAt: 100,
  ...over,
})
const options = (over: Partial<MovedOptions> = {}): MovedOptions => ({
  owner: 'me',
  ownRuns: new Set(),
  gone: new Map(),
  now: NOW,
  ...over,
})

describe('two readings of the heads', () => {
  it('are nothing to tell when nothing the window lists moved', () => {
    const h = heads({ batches: { maxId: 4, open: [open(4)] } })
    expect(storeChanged(h, structuredClone(h), options())).toBeNull()
    // A running batch's heartbeat alone is no move.
    expect(
      storeChanged(h, heads({ batches: { maxId: 4, open: [open(4, { heartbeatAt: NOW })] } }), options()),
    ).toBeNull()
  })

  it('name each topic that moved, with the rows it gained', () => {
    const e = storeChanged(
      heads(),
      heads({
        records: { maxId: 13 },
        anomalies: { maxId: 5, open: 1 },
        statements: { maxId: 3, updatedAt: 2_000 },
      }),
      options(),
    )
    expect(e).toEqual({
      topics: ['anomalies', 'statements', 'records'],
      added: { batches: 0, anomalies: 0, statements: 0, records: 3, merchants: 0 },
      batches: [],
      running: [],
      openAnomalies: 1,
    })
  })

  it('name every list when rows were deleted elsewhere, though no other figure moved', () => {
    // An older version's demo removed on another desktop: its rows gone, the highest ids and times kept.
    const e = storeChanged(heads(), heads({ removed: { at: 7_000 } }), options())
    expect(e?.topics).toEqual(['batches', 'anomalies', 'statements', 'records', 'merchants'])
    expect(Object.values(e!.added).every((n) => n === 0)).toBe(true)
  })

  it('name the merchants when a profile was added or changed elsewhere', () => {
    const changed = storeChanged(heads(), heads({ merchants: { maxId: 2, updatedAt: 900 } }), options())
    expect(changed).toMatchObject({ topics: ['merchants'], added: { merchants: 0 } })
    const added = storeChanged(heads(), heads({ merchants: { maxId: 3, updatedAt: 900 } }), options())
    expect(added).toMatchObject({ topics: ['merchants'], added: { merchants: 1 } })
  })

  it('follow a batch of another process as it moves, and leave out this process’s', () => {
    const before = heads({ batches: { maxId: 4, open: [open(3), open(4, { owner: 'me' })] } })
    const after = heads({
      batches: {
        maxId: 6,
        open: [
          open(3, { lastRecordAt: 200 }),
          open(4, { owner: 'me', lastRecordAt: 200 }),
          open(5, { status: 'pending', owner: null, heartbeatAt: null, lastRecordAt: null }),
          // Its runner stopped beating its heart: shown as interrupted, so not running.
          open(6, { heartbeatAt: NOW - 60_000 }),
        ],
      },
    })
    const e = storeChanged(before, after, options())!
    expect(e.topics).toEqual(['batches'])
    expect(e.added.batches).toBe(2)
    expect(e.batches).toEqual([
      { id: 3, status: 'running' },
      { id: 5, status: 'pending' },
      { id: 6, status: 'running' },
    ])
    // Running elsewhere: this process's own are counted from their own events.
    expect(e.running).toEqual([3])
    // Run here now, whoever ran it last: its screen hears of it through batch.progress.
    expect(storeChanged(before, after, options({ ownRuns: new Set([3]) }))!.batches.map((b) => b.id)).toEqual(
      [5, 6],
    )
  })

  it('tell the end of a batch that left the open ones, or came and went between two readings', () => {
    const before = heads({ batches: { maxId: 4, open: [open(4)] } })
    const after = heads({ batches: { maxId: 6, open: [] } })
    expect(goneBatches(before, after)).toEqual([4, 5, 6])
    const gone = new Map([
      [4, { status: 'done' as const, owner: 'other' }],
      [5, { status: 'cancelled' as const, owner: 'other' }],
      // Over, and this process ran it to its end: already told.
      [6, { status: 'done' as const, owner: 'me' }],
    ])
    expect(storeChanged(before, after, options({ gone }))!.batches).toEqual([
      { id: 4, status: 'done' },
      { id: 5, status: 'cancelled' },
    ])
  })
})
