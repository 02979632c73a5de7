import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BatchPeers } from '../../src/main/engine/batch-peers'
import { openStore, type Db } from '../../src/main/store/connection'
import { sqliteCoordination } from '../../src/main/store/coordination/sqlite'
import { tempDir } from '../helpers/world'

// A joiner's admission (docs/team-mode.md B8.5): the runners already on a batch renew their
// registration only once they have taken their smaller share, and the joiner calls only after every
// one of them has. Owners named as other computers' processes, so none counts as dead here.

const TTL = 30_000
const A = 'desk-a.example:101:x'
const B = 'desk-b.example:202:y'

let dbs: Db[] = []
afterEach(() => {
  for (const db of dbs) db.close()
  dbs = []
})

function twoRunners(): { a: BatchPeers; b: BatchPeers } {
  const file = path.join(tempDir('paysync-peers-'), 'paysync.db')
  dbs = [openStore(file), openStore(file)]
  return {
    a: new BatchPeers(sqliteCoordination(dbs[0]!), 7, A, TTL),
    b: new BatchPeers(sqliteCoordination(dbs[1]!), 7, B, TTL),
  }
}

/** A promise's state, read without waiting for it. */
function watch(p: Promise<unknown>): { settled: () => boolean } {
  let done = false
  void p.then(() => (done = true))
  return { settled: () => done }
}

const turn = () => new Promise((r) => setTimeout(r, 60))

describe('a runner joining a batch', () => {
  it('is admitted once the runner already there has taken its smaller share, not before', async () => {
    const { a, b } = twoRunners()
    const shares: number[] = []
    expect(await a.refresh((n) => void shares.push(n))).toBe(1)
    expect(await b.refresh()).toBe(2)

    const admitted = watch(b.admitted(60_000))
    // A's share taken but its calls in flight not yet back within it: no word to the joiner yet.
    let settle!: () => void
    const settling = new Promise<void>((r) => (settle = r))
    const looked = a.look(async (n) => {
      shares.push(n)
      await settling
    })
    await turn()
    expect(shares).toEqual([1, 2])
    expect(admitted.settled()).toBe(false)
    settle()
    expect(await looked).toBe(2)
    await turn()
    expect(admitted.settled()).toBe(true)
  })

  it('waits no longer than it is told for a runner that never says so', async () => {
    const { a, b } = twoRunners()
    await a.refresh()
    await b.refresh()
    // A never counts again (an older version, a hung process): the joiner goes after its limit.
    const admitted = watch(b.admitted(300))
    await turn()
    expect(admitted.settled()).toBe(false)
    await new Promise((r) => setTimeout(r, 400))
    expect(admitted.settled()).toBe(true)
  })

  it('a heartbeat renews only after the share is taken', async () => {
    const { a, b } = twoRunners()
    await a.refresh()
    await b.refresh()
    const admitted = watch(b.admitted(60_000))
    let settle!: () => void
    const beat = a.refresh(() => new Promise<void>((r) => (settle = r)))
    await turn()
    expect(admitted.settled()).toBe(false)
    settle()
    expect(await beat).toBe(2)
    await turn()
    expect(admitted.settled()).toBe(true)
  })
})
