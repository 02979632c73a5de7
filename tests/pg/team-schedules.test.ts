import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// The schedules of a window on a team database (docs/team-mode.md B8.15): every desktop that serves a
// window ticks, one of the team leads and runs the pass (the ladder's due trades, the timeout close),
// each trade synced once; when the leader goes, another desktop takes over at its next tick; with the
// team key locked no pass runs, rather than recording every due trade as failed.

const TEAM = 'Team-Pass for 2026!'
const MINUTE = 60_000

describe.skipIf(pgMissing())('the schedules on a team database', () => {
  let world: World
  let url: string
  const hosts: TeamHost[] = []
  const dataDir = tempDir('paysync-team-schedules-')

  const open = async (operator: string, passphrase: string | undefined): Promise<TeamHost> => {
    const desk = await TeamDesk.open(url, {
      keys: { passphrase },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir,
    })
    const host = new TeamHost(desk, dataDir, { transport: 'http', schedules: true })
    hosts.push(host)
    return host
  }

  /** Pay orders due on the ladder now, which the gateway has paid; `expired`: still open there, past expiry. */
  const due = async (prefix: string, n: number, expired = false): Promise<string[]> => {
    const nos = Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
    const desk = hosts[0]!.desk
    for (const orderNo of nos) {
      world.gatewayOrder({
        merchant: 'ali',
        orderNo,
        amount: 300,
        state: expired ? 'WAIT_BUYER_PAY' : 'TRADE_SUCCESS',
      })
      const now = Date.now()
      await desk.reads.pool.query(
        `INSERT INTO pay_orders (merchant_id, order_no, biz_order_no, amount, refundable_amount, status, channel,
           created_at, updated_at, expired_at, next_sync_at)
         SELECT id, $1, $1, 300, 0, 'progress', channel, $2::bigint, $2::bigint, $3::bigint, $4::bigint
           FROM merchants WHERE name = 'ali'`,
        [orderNo, now - 10 * MINUTE, expired ? now - 5 * MINUTE : now + 60 * MINUTE, now - 1_000],
      )
    }
    return nos
  }

  const records = async (nos: string[]) =>
    (
      await hosts[0]!.desk.reads.pool.query(
        `SELECT trade_no, outcome, source, operator FROM sync_records WHERE trade_no = ANY($1) ORDER BY trade_no`,
        [nos],
      )
    ).rows

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    url = await freshDatabase('paysync_sched')
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
  })

  afterAll(async () => {
    for (const h of hosts) await h.close().catch(() => undefined)
    await world?.close()
  })

  it('with the team key locked: no pass, nothing recorded as failed', async () => {
    const locked = await open('nokey', undefined)
    const nos = await due('LOCKED', 2)
    // Past its first tick (5 s).
    await new Promise((r) => setTimeout(r, 7_000))
    expect(await records(nos)).toEqual([])
    await locked.close()
    hosts.splice(hosts.indexOf(locked), 1)
  }, 30_000)

  it('one desktop of the team runs each pass, each trade once; another takes over when it goes', async () => {
    const amy = await open('amy', TEAM)
    // The team's settings: a tick every 10 s (the least), read by every desktop at its next tick.
    await dispatchTeam(amy, 'settings.set', { scheduleTickSec: 10 })
    const bob = await open('bob', TEAM)
    const paid = await due('SCHED', 6)
    const closing = await due('EXPIRED', 1, true)
    // The trades the locked desktop left are due too: the first pass takes them.
    const all = [...paid, ...closing, 'LOCKED-0', 'LOCKED-1']
    await expect.poll(async () => (await records(all)).length, { timeout: 30_000, interval: 500 }).toBe(9)
    const recs = await records(all)
    expect(recs.filter((r) => r.trade_no.startsWith('SCHED')).every((r) => r.outcome === 'repaired')).toBe(
      true,
    )
    expect(recs.find((r) => r.trade_no === 'EXPIRED-0')).toMatchObject({ source: 'timeout' })
    // One leads: its operator names the records; the other's window says who.
    const leaders = [amy, bob].filter((h) => h.scheduleLead?.state()?.self)
    expect(leaders).toHaveLength(1)
    const leader = leaders[0]!
    const other = leader === amy ? bob : amy
    expect(new Set(recs.map((r) => r.operator))).toEqual(new Set([leader.desk.actor.operator]))
    const info = await dispatchTeam(other, 'app.info', {})
    expect(info.schedules).toMatchObject({ enabled: true, running: true, leader: { self: false } })

    // The leader goes: the other leads from its next tick, and the trades due since are synced once.
    await leader.close()
    hosts.splice(hosts.indexOf(leader), 1)
    const later = await due('LATER', 3)
    await expect.poll(async () => (await records(later)).length, { timeout: 30_000, interval: 500 }).toBe(3)
    expect((await records(later)).map((r) => r.operator)).toEqual(Array(3).fill(other.desk.actor.operator))
    expect(other.scheduleLead?.state()?.self).toBe(true)
    // Nothing synced twice meanwhile.
    expect(await records(all)).toHaveLength(9)
  }, 90_000)
})
