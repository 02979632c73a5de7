import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Db } from '../../src/main/store/connection'
import { closeAnomaly } from '../../src/main/store/anomalies'
import { auditOn } from '../../src/main/store/audit'
import { createBatch, setBatchStatus, startBatchRun } from '../../src/main/store/batches'
import { batchStates, commitCounters, readHeads } from '../../src/main/store/heads'
import { recordMerchantHealthOn, setMerchantEnabledIn } from '../../src/main/store/merchants'
import { both } from '../../src/main/store/sql/exec'
import { sqliteExec } from '../../src/main/store/sql/sqlite-exec'
import { ensureStatement, updateStatement } from '../../src/main/store/statements'
import { bareMerchant } from '../helpers/bare-merchant'
import { addAnomaly, addRecord } from '../helpers/head-rows'
import { tempDir } from '../helpers/world'

// The heads the window follows (docs/team-mode.md B8.5): what moves them, the indexes they are read
// through, and the two counters that say who committed.

let dir: string
let file: string
let db: Db
let merchant: number
beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'heads.db')
  db = openStore(file)
  merchant = bareMerchant(db, 'm')
})
afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const batch = (name: string) =>
  createBatch(db, {
    name,
    sourceFile: null,
    importId: null,
    concurrency: 1,
    qps: 1,
    items: [],
    operator: null,
  })

/** A 1 for each parameter of a statement: the plan needs values, any will do. */
const ones = (sql: string) => Array<number>(sql.split('?').length - 1).fill(1)

describe('the heads', () => {
  it('are all zero on empty books', () => {
    expect(readHeads(db)).toEqual({
      records: { maxId: 0 },
      anomalies: { maxId: 0, open: 0 },
      statements: { maxId: 0, updatedAt: 0 },
      batches: { maxId: 0, open: [] },
      // The one bare profile the books need for their rows.
      merchants: { maxId: merchant, updatedAt: expect.any(Number) },
      removed: { at: 0 },
    })
  })

  it('move with a new record, an anomaly opened and decided, a statement run, a batch run', () => {
    const b = batch('one')
    expect(readHeads(db).batches).toEqual({
      maxId: b,
      open: [{ id: b, status: 'pending', owner: null, heartbeatAt: null, lastRecordAt: null }],
    })
    startBatchRun(db, b, 'me', 1_000)
    addRecord(db, merchant, { batchId: b, at: 2_000 })
    const r = addRecord(db, merchant, { at: 3_000 })
    const a = addAnomaly(db, merchant, 1, 3_000)
    addAnomaly(db, merchant, 2, 3_000)
    const s = ensureStatement(
      db,
      { merchantId: merchant, channel: 'alipay', billDate: '2026-11-01', source: 'download' },
      4_000,
    )
    let h = readHeads(db)
    expect(h.records.maxId).toBe(r)
    expect(h.anomalies).toEqual({ maxId: a + 1, open: 2 })
    expect(h.statements).toEqual({ maxId: s.id, updatedAt: 4_000 })
    expect(h.batches.open).toEqual([
      { id: b, status: 'running', owner: 'me', heartbeatAt: 1_000, lastRecordAt: 2_000 },
    ])

    closeAnomaly(db, a, {
      status: 'dismissed',
      action: 'dismiss',
      remark: 'seen',
      repairNo: null,
      at: 5_000,
      operator: 'x',
    })
    updateStatement(db, s.id, { status: 'matched', result: 'balanced' }, 6_000)
    setBatchStatus(db, b, 'done', 7_000)
    h = readHeads(db)
    expect(h.anomalies).toEqual({ maxId: a + 1, open: 1 })
    expect(h.statements.updatedAt).toBe(6_000)
    expect(h.batches).toEqual({ maxId: b, open: [] })
    expect(batchStates(db, [b, b + 1])).toEqual(new Map([[b, { status: 'done', owner: 'me' }]]))

    // A profile switched off moves the merchants' head; its health kept by a sync does not.
    const before = h.merchants
    recordMerchantHealthOn.sync(sqliteExec(db), merchant, { ok: true, latencyMs: 12 }, 8_000)
    expect(readHeads(db).merchants).toEqual(before)
    both(setMerchantEnabledIn).sync(sqliteExec(db), merchant, false, 9_000)
    expect(readHeads(db).merchants).toEqual({ maxId: merchant, updatedAt: 9_000 })
  })

  it("move when rows were deleted: an older version's demo removed", () => {
    const before = readHeads(db)
    // Another action of the audit log moves nothing.
    auditOn.sync(sqliteExec(db), { operator: 'amy', action: 'export_written', detail: {} }, 5_000)
    expect(readHeads(db)).toEqual(before)
    auditOn.sync(sqliteExec(db), { operator: 'amy', action: 'demo_removed', detail: {} }, 6_000)
    expect(readHeads(db)).toEqual({ ...before, removed: { at: 6_000 } })
  })

  it('are each one seek in an index, never a scan of a table', () => {
    const b = batch('open')
    startBatchRun(db, b, 'me')
    const plans: string[] = []
    const prepare = db.prepare.bind(db)
    // A connection of its own, so every statement is prepared (and seen) here.
    const seen = openStore(file)
    ;(seen as { prepare: typeof seen.prepare }).prepare = ((sql: string) => {
      if (/^\s*SELECT/i.test(sql))
        plans.push(
          `${sql} => ${(prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...ones(sql)) as Array<{ detail: string }>)
            .map((p) => p.detail)
            .join(' | ')}`,
        )
      return prepare(sql)
    }) as typeof seen.prepare
    readHeads(seen)
    batchStates(seen, [b])
    seen.close()
    expect(plans).toHaveLength(12)
    for (const p of plans) {
      expect(p).toMatch(/=> SEARCH /)
      expect(p).not.toMatch(/SCAN|TEMP B-TREE/)
    }
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_batches_open/)
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_statements_updated/)
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_merchants_updated/)
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_sync_records_batch \(batch_id=\?\)/)
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_anomalies_status \(status=\?\)/)
    expect(plans.join('\n')).toMatch(/USING COVERING INDEX idx_audit_log_action \(action=\?\)/)
  })
})

describe('the commit counters', () => {
  it('tell a commit of another connection from one of this connection', () => {
    const other = openStore(file)
    try {
      const start = commitCounters(db)
      addRecord(other, merchant, { at: 1 })
      const afterOther = commitCounters(db)
      expect(afterOther.others).not.toBe(start.others)
      expect(afterOther.own).toBe(start.own)

      addRecord(db, merchant, { at: 2 })
      const afterOwn = commitCounters(db)
      expect(afterOwn.others).toBe(afterOther.others)
      expect(afterOwn.own).toBeGreaterThan(afterOther.own)
      // Read again with nothing committed: nothing moves.
      expect(commitCounters(db)).toEqual(afterOwn)
    } finally {
      other.close()
    }
  })
})
