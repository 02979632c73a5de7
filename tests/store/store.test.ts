import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreError } from '../../src/main/store/connection'
import { SCHEMA_VERSION } from '../../src/main/store/migrate'
import { MIGRATIONS } from '../../src/main/store/migrations'
import { tempDir } from '../helpers/world'

let dir: string
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('store: opening and migrating', () => {
  it('creates an empty database at the current schema in WAL mode with foreign keys on', () => {
    const db = openStore(path.join(dir, 'a.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string
    }[]
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'merchants',
        'pay_orders',
        'refund_orders',
        'sync_records',
        'repair_records',
        'anomalies',
        'batches',
        'batch_items',
        'import_runs',
        'import_errors',
        'audit_log',
        'trade_leases',
        'settings',
        'keyring',
      ]),
    )
    db.close()
  })

  it('migrates a populated database of an older version, keeping its rows', () => {
    const file = path.join(dir, 'old.db')
    const raw = new Database(file)
    MIGRATIONS[0]!(raw)
    raw.pragma('user_version = 1')
    raw
      .prepare(
        "INSERT INTO merchants (name, channel, endpoint, created_at, updated_at) VALUES ('m', 'alipay', 'https://x', 1, 1)",
      )
      .run()
    raw.close()
    const db = openStore(file)
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect((db.prepare('SELECT count(*) AS n FROM merchants').get() as { n: number }).n).toBe(1)
    db.close()
  })

  it('migration 4 forgets the clear app auth token of removed profiles only', () => {
    const file = path.join(dir, 'tokens.db')
    const raw = new Database(file)
    for (const m of MIGRATIONS.slice(0, 3)) m(raw)
    raw.pragma('user_version = 3')
    const add = raw.prepare(
      "INSERT INTO merchants (name, channel, endpoint, settings, removed_at, created_at, updated_at) VALUES (?, 'alipay', 'https://x', ?, ?, 1, 1)",
    )
    add.run('gone', JSON.stringify({ appId: '2021000000000001', appAuthToken: '202611BB' }), 5)
    add.run('live', JSON.stringify({ appId: '2021000000000002', appAuthToken: '202611CC' }), null)
    raw.close()
    const db = openStore(file)
    const settings = (name: string) =>
      JSON.parse(
        (db.prepare('SELECT settings FROM merchants WHERE name = ?').get(name) as { settings: string })
          .settings,
      )
    // The live one keeps it until main seals it with the key (tests/services/merchants.test.ts).
    expect(settings('gone')).toEqual({ appId: '2021000000000001' })
    expect(settings('live')).toMatchObject({ appAuthToken: '202611CC' })
    db.close()
  })

  it('migration 8 keeps the answer each anomaly was last seen with, so older decisions stick', () => {
    const file = path.join(dir, 'answers.db')
    const raw = new Database(file)
    for (const m of MIGRATIONS.slice(0, 4)) m(raw)
    raw.pragma('user_version = 4')
    raw.exec(`
      INSERT INTO sync_records (id, trade_type, trade_id, trade_no, biz_trade_no, channel, merchant_id,
        gateway_status, outcome, source, duration_ms, created_at)
      VALUES (7, 'pay', 1, 'A', 'A', 'alipay', 1, 'pay_success', 'anomaly', 'manual', 1, 1);
      INSERT INTO anomalies (id, trade_type, trade_id, trade_no, channel, merchant_id, kind, detail,
        local_status, gateway_status, local_amount, gateway_amount, sync_record_id, status, created_at,
        last_seen_at)
      VALUES (1, 'pay', 1, 'A', 'alipay', 1, 'amount_mismatch', 'x', 'progress', 'TRADE_SUCCESS', 15000,
        1500, 7, 'resolved', 1, 1),
        (2, 'pay', 2, 'B', 'alipay', 1, 'sync_keeps_failing', 'x', 'progress', NULL, 100, NULL, NULL,
        'open', 1, 1);
    `)
    raw.close()
    const db = openStore(file)
    expect(
      db
        .prepare('SELECT id, answer_status, follows_id, seen_after_decision FROM anomalies ORDER BY id')
        .all(),
    ).toEqual([
      { id: 1, answer_status: 'pay_success', follows_id: null, seen_after_decision: 0 },
      { id: 2, answer_status: null, follows_id: null, seen_after_decision: 0 },
    ])
    db.close()
  })

  it('refuses a database written by a newer version, clearly, and leaves it untouched', () => {
    const file = path.join(dir, 'new.db')
    const raw = new Database(file)
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
    raw.close()
    const before = fs.readFileSync(file)
    expect(() => openStore(file)).toThrow(/newer PaySync Desk.*update PaySync Desk/)
    try {
      openStore(file)
    } catch (err) {
      expect((err as StoreError).code).toBe('newer_schema')
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true)
  })

  it('reports a damaged file and never overwrites it', () => {
    const file = path.join(dir, 'broken.db')
    fs.writeFileSync(file, Buffer.from('this is not a database at all, just some bytes '.repeat(200)))
    const before = fs.readFileSync(file)
    expect(() => openStore(file)).toThrow(/damaged or is not a PaySync Desk database/)
    expect(fs.readFileSync(file).equals(before)).toBe(true)
  })

  it('refuses another program’s SQLite database', () => {
    const file = path.join(dir, 'other.db')
    const raw = new Database(file)
    raw.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)')
    raw.close()
    expect(() => openStore(file)).toThrow(/another program/)
  })
})
