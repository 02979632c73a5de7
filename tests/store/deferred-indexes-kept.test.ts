import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/main/store/connection'
import { deferIndexesOfEmpty, restoreDeferredIndexes } from '../../src/main/store/deferred-indexes'
import { LEFT_NULL_BY_INSERT } from '../../src/main/store/orders'
import { createWorld, type World } from '../helpers/world'

// A large first import keeps the partial indexes of orders held by a batch or confirmed by a
// statement: an inserted order is neither, so they get no entry row by row, and building them after
// would read the whole table once each for nothing.

const indexesOf = (db: Db) =>
  db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pay_orders' AND sql IS NOT NULL ORDER BY name",
    )
    .pluck()
    .all() as string[]

let w: World | undefined
afterEach(async () => {
  await w?.close()
  w = undefined
})

describe('indexes a large first import leaves in place', () => {
  it('are those of columns an inserted order leaves empty, and the rest are built again', async () => {
    w = await createWorld()
    const db = w.ctx.db
    const before = indexesOf(db)
    expect(deferIndexesOfEmpty(db, 'pay_orders', LEFT_NULL_BY_INSERT)).toBe(true)
    expect(indexesOf(db)).toEqual([
      'idx_pay_orders_held',
      'idx_pay_orders_held_created',
      'idx_pay_orders_reconciled',
    ])
    const listed = db.prepare('SELECT name FROM deferred_indexes ORDER BY name').pluck().all()
    expect(listed).toEqual(before.filter((n) => !indexesOf(db).includes(n)))
    // Each of them: an inserted order leaves the column empty.
    w.payOrder({ merchant: 'ali', orderNo: 'N1' })
    for (const column of LEFT_NULL_BY_INSERT)
      expect(db.prepare(`SELECT ${column} FROM pay_orders WHERE order_no = 'N1'`).pluck().get()).toBeNull()
    expect(restoreDeferredIndexes(db)).toBe(listed.length)
    expect(indexesOf(db)).toEqual(before)
  })
})
