import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { storeChanged } from '../../src/main/services/live/moved'
import { readHeadsOn } from '../../src/main/store/heads'
import { STORE_TOPICS } from '../../src/shared/live'
import { dispatchTeam } from '../../src/main/services/team-operations'
import { createBatchOn } from '../../src/main/store/batch-run'
import { pgCoordination } from '../../src/main/store/coordination/pg'
import type { Coordination } from '../../src/main/store/coordination/types'
import { countDemoOn } from '../../src/main/store/demo-data'
import { openPgPool, pgTarget } from '../../src/main/store/pg/connect'
import { teamCalls } from '../../src/main/store/sql/calls'
import { freshDatabase, pgMissing } from '../helpers/pg'
import {
  demoIds,
  demoLeft,
  olderBooks,
  tableCounts,
  type CountOf,
  type OlderBooks,
} from '../helpers/old-demo'
import { tempDir } from '../helpers/world'

// The old sandbox's demo taken out of a team database (docs/team-mode.md B8.20), where `paysync db copy`
// brought it from a desktop's file: the same counts and the same rows gone as on the file, audited
// under the desktop's operator; refused while another desktop holds a demo trade (a lease, a batch
// item's claim, a running batch), including one that took it while the removal waited for its lock.

const TEAM = 'Team-Pass for 2026!'
const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

describe.skipIf(pgMissing())('removing the demo on a team database', () => {
  let dir: string
  let sim: Simulator
  let made: OlderBooks
  /** The older books, as copied in; the file removed from; the file the command line removes from. */
  let source: string
  let onFile: string
  let onFileCli: string
  let url: string
  let pool: pg.Pool
  let amy: TeamHost
  /** Another desktop of the team, as its engine leases and claims. */
  let bob: Coordination
  const pgCount: CountOf = async (sql) => Number((await pool.query(sql)).rows[0].n)
  const fileCount = (file: string) => {
    const ctx = new ServiceContext({ dbFile: file, transport: 'cli', readsOnly: true })
    return {
      count: (async (sql) => (ctx.db.prepare(sql).get() as { n: number }).n) as CountOf,
      close: () => ctx.close(),
    }
  }
  /** Waits until `n` statements wait for a lock. */
  const untilWaiting = async (n: number) => {
    for (;;) {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')
      if (rows[0].n >= n) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const demoPays = async () =>
    (
      await pool.query<{ id: string }>('SELECT id FROM pay_orders WHERE merchant_id = ANY($1) ORDER BY id', [
        made.demo,
      ])
    ).rows.map((r) => Number(r.id))
  const refusal = () =>
    dispatchTeam(amy, 'merchants.removeDemo', {}).catch((err: Error & { code: string }) => err)

  beforeAll(async () => {
    dir = tempDir()
    sim = await startSimulator({
      scenario: { merchants: [{ name: 'shop', channel: 'alipay' }], orders: [], refunds: [] },
    })
    source = path.join(dir, 'older.db')
    made = await olderBooks(source, sim, TEAM)
    url = await freshDatabase()
    expect((await copyDatabase(source, url)).outcome).toBe('copied')
    onFile = path.join(dir, 'on-file.db')
    onFileCli = path.join(dir, 'on-file-cli.db')
    fs.copyFileSync(source, onFile)
    fs.copyFileSync(source, onFileCli)
    pool = openPgPool(pgTarget(url), 3)
    const desk = await TeamDesk.open(url, {
      keys: { passphrase: TEAM },
      actor: { operator: 'amy', systemUser: 'amy-user', transport: 'http' },
      dataDir: tempDir('paysync-team-data-'),
    })
    amy = new TeamHost(desk, tempDir())
    bob = pgCoordination(pgTarget(url))
  }, 180_000)

  afterAll(async () => {
    await bob?.close()
    await amy?.close()
    await pool?.end()
    await sim?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('counts the same demo as the file, and app.info offers its removal', async () => {
    const file = new ServiceContext({ dbFile: source, transport: 'cli', readsOnly: true })
    try {
      const here = countDemoOn.sync(file.exec)
      expect(here.merchants).toBe(made.demo.length)
      expect(here.payOrders).toBeGreaterThan(0)
      expect(await countDemoOn.async(amy.desk.reads.exec)).toEqual(here)
      const info = await dispatchTeam(amy, 'app.info', {})
      expect(info.demoInBooks).toEqual((await dispatch(file, 'app.info', {})).demoInBooks)
      expect(info.demoInBooks.trades).toBe(here.payOrders + here.refunds)
    } finally {
      await file.close()
    }
  })

  it("is refused while another desktop's sync holds a demo trade's lease, naming it, and nothing goes", async () => {
    const [pay] = await demoPays()
    expect(await bob.acquireLease(`pay:${pay}`, 'bob-pc:4242:k1#7', 60_000)).toBe(true)
    const before = await tableCounts(pgCount)
    const refused = await refusal()
    expect(refused).toMatchObject({ code: 'conflict' })
    expect((refused as Error).message).toBe(
      'another desktop is syncing 1 of the demo trades right now (bob-pc:4242): let its sync or batch ' +
        'finish, or cancel the batch, then remove the demo data again',
    )
    expect(await tableCounts(pgCount)).toEqual(before)
    await bob.releaseLease(`pay:${pay}`, 'bob-pc:4242:k1#7')
  })

  it("is refused while another desktop's batch claims demo items, and while a batch of them runs", async () => {
    const pays = await demoPays()
    const batch = await teamCalls(pool).inTransaction(
      createBatchOn,
      {
        name: 'nightly',
        sourceFile: null,
        importId: null,
        concurrency: 1,
        qps: 1,
        operator: 'bob',
        items: pays.slice(0, 3).map((id) => ({ type: 'pay' as const, id })),
      },
      Date.now(),
    )
    expect(await bob.claimItems(batch, 'bob-pc:4242:k1', 2, 1_500)).toHaveLength(2)
    expect(await refusal()).toMatchObject({ id: 'demo.heldOnTeam', code: 'conflict' })
    expect(((await refusal()) as Error).message).toMatch(
      /^another desktop is syncing 2 of the demo trades .*\(bob-pc:4242\)/,
    )
    // The claims lapse; the batch still reads running, with a live runner on carol's desktop.
    await new Promise((resolve) => setTimeout(resolve, 1_600))
    await pool.query("UPDATE batches SET status = 'running' WHERE id = $1", [batch])
    expect(await bob.acquireLease(`batch:${batch}:runner:carol-pc:99:z`, 'carol-pc:99:z', 60_000)).toBe(true)
    expect(((await refusal()) as Error).message).toBe(
      `batch ${batch} holds demo trades and is running on carol-pc:99: let it finish or cancel it, then remove the demo data`,
    )
    // Its runner leaves, and the batch reads paused: nothing holds the demo now.
    await bob.releaseLease(`batch:${batch}:runner:carol-pc:99:z`, 'carol-pc:99:z')
    await pool.query("UPDATE batches SET status = 'paused' WHERE id = $1", [batch])
  })

  it('waits for a claim being taken as it starts, and then refuses it rather than deleting under it', async () => {
    const pays = await demoPays()
    const batch = await teamCalls(pool).inTransaction(
      createBatchOn,
      {
        name: 'race',
        sourceFile: null,
        importId: null,
        concurrency: 1,
        qps: 1,
        operator: 'bob',
        items: [{ type: 'pay' as const, id: pays[5]! }],
      },
      Date.now(),
    )
    // Bob's claim is written and not yet committed when the removal starts.
    const bobs = await pool.connect()
    try {
      await bobs.query('BEGIN')
      await bobs.query(
        `UPDATE batch_items SET claimed_by = 'bob-pc:4242:k2', claim_expires_at = $2 WHERE batch_id = $1`,
        [batch, Date.now() + 1_500],
      )
      const removal = refusal()
      await untilWaiting(1)
      await bobs.query('COMMIT')
      expect(((await removal) as Error).message).toMatch(
        /^another desktop is syncing 1 of the demo trades .*\(bob-pc:4242\)/,
      )
    } finally {
      bobs.release()
    }
    await new Promise((resolve) => setTimeout(resolve, 1_600))
  })

  it('once nothing holds it, removes what the file removes, audited under the operator; a second time nothing', async () => {
    const ids = await demoIds(async (sql) => (await pool.query(sql)).rows, made.demo)
    const headsBefore = await readHeadsOn.async(amy.desk.reads.exec)
    const removed = await dispatchTeam(amy, 'merchants.removeDemo', {})
    // Another desktop's window reads every list again, though the removal may leave the highest ids.
    const moved = storeChanged(headsBefore, await readHeadsOn.async(amy.desk.reads.exec), {
      owner: 'another desktop',
      ownRuns: new Set(),
      gone: new Map(),
      now: Date.now(),
    })
    expect(moved?.topics).toEqual([...STORE_TOPICS])

    const file = new ServiceContext({ dbFile: onFile, transport: 'cli', operator: 'amy' })
    try {
      expect(removed).toEqual(await dispatch(file, 'merchants.removeDemo', {}))
    } finally {
      await file.close()
    }
    const f = fileCount(onFile)
    try {
      // Every table holds what the file holds after its removal (the batches the test made went whole).
      expect(await tableCounts(pgCount)).toEqual(await tableCounts(f.count))
    } finally {
      await f.close()
    }
    expect(await demoLeft(pgCount, ids)).toEqual({})
    // The person's own merchant, trade and its record stay; the mixed batch holds the real trade.
    expect((await dispatchTeam(amy, 'merchants.list', {})).map((m) => m.id)).toEqual([made.shop])
    expect((await dispatchTeam(amy, 'orders.list', {})).items.map((o) => o.orderNo)).toEqual(['REAL-1'])
    expect((await dispatchTeam(amy, 'records.list', {})).total).toBe(1)
    expect((await dispatchTeam(amy, 'batches.get', { id: made.mixedBatch })).total).toBe(1)
    const audit = await pool.query(
      "SELECT operator, system_user, transport, detail FROM audit_log WHERE action = 'demo_removed'",
    )
    expect(audit.rows).toEqual([
      { operator: 'amy', system_user: 'amy-user', transport: 'http', detail: JSON.stringify(removed) },
    ])
    expect((await dispatchTeam(amy, 'app.info', {})).demoInBooks).toEqual({ merchants: 0, trades: 0 })
    expect((await dispatchTeam(amy, 'merchants.removeDemo', {})).merchants).toBe(0)
    expect(
      Number(
        (await pool.query("SELECT count(*) FROM audit_log WHERE action = 'demo_removed'")).rows[0].count,
      ),
    ).toBe(1)
  })

  it('`paysync merchant remove-demo --db postgres://…` prints what it prints on the file', async () => {
    const other = await freshDatabase()
    expect((await copyDatabase(source, other)).outcome).toBe('copied')
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_OPERATOR: 'cli-amy' }
    const paysync = (args: string[]) => run(process.execPath, [BIN, ...args], { env })
    const team = await paysync(['merchant', 'remove-demo', '--db', other])
    const file = await paysync(['merchant', 'remove-demo', '--db', onFileCli])
    expect(team.stdout).toMatch(/^removed the old sandbox's demo: \d+ merchants, \d+ pay orders/)
    expect(team.stdout).toBe(file.stdout)
    const again = await paysync(['--json', 'merchant', 'remove-demo', '--db', other])
    expect(JSON.parse(again.stdout)).toMatchObject({ merchants: 0, payOrders: 0 })
    const check = openPgPool(pgTarget(other), 1)
    try {
      const audit = await check.query(
        "SELECT operator, transport FROM audit_log WHERE action = 'demo_removed'",
      )
      expect(audit.rows).toEqual([{ operator: 'cli-amy', transport: 'cli' }])
    } finally {
      await check.end()
    }
  }, 60_000)
})
