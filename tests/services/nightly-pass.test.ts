import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { asNightlyPass } from '../../src/main/services/nightly'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// The nightly pass runs once at a time per database (services/nightly.ts): a second `sync --pending`
// that starts while one runs (a slow night and the next cron, or two desktops' crons) syncs nothing and
// names the process that runs it; once that one ends, the next run leads again.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

let w: World
beforeAll(async () => {
  w = await createWorld()
  for (let i = 0; i < 3; i++) {
    w.payOrder({ merchant: 'ali', orderNo: `NIGHT-${i}`, amount: 100 })
    w.gatewayOrder({ merchant: 'ali', orderNo: `NIGHT-${i}`, amount: 100, state: 'WAIT_BUYER_PAY' })
  }
})
afterAll(async () => {
  await w.close()
})

const queries = () => w.sim.state.stats.requests['alipay.trade.query'] ?? 0

describe('the nightly pass', () => {
  it('runs in one process at a time: another is told who runs it, then leads once it has ended', async () => {
    const other = new ServiceContext({ dbFile: w.dbFile, transport: 'cli', retry: FAST_RETRY })
    try {
      let finish!: () => void
      const held = new Promise<void>((r) => (finish = r))
      let entered!: () => void
      const inside = new Promise<void>((r) => (entered = r))
      const first = asNightlyPass(w.ctx, async () => {
        entered()
        await held
        return 'first'
      })
      await inside
      expect(await asNightlyPass(other, () => Promise.resolve('second'))).toEqual({
        ran: false,
        leader: w.ctx.engine.owner,
      })

      // The command line, as cron runs it: nothing synced, the reason on stderr, not a failure.
      const before = queries()
      const cron = await run(process.execPath, [BIN, '--db', w.dbFile, 'sync', '--pending', '--json'])
      expect(cron.stderr).toContain('the nightly pass of this database is running in another process')
      expect(cron.stderr).toContain(w.ctx.engine.owner)
      expect(JSON.parse(cron.stdout)).toMatchObject({ total: 0, errors: 0 })
      expect(queries()).toBe(before)

      finish()
      expect(await first).toEqual({ ran: true, value: 'first' })
      expect(await asNightlyPass(other, () => Promise.resolve('second'))).toEqual({
        ran: true,
        value: 'second',
      })

      // With nobody else running it, the cron's pass syncs every pending trade, once each.
      const again = await run(process.execPath, [BIN, '--db', w.dbFile, 'sync', '--pending', '--json'])
      expect(again.stderr).not.toContain('nightly pass')
      expect(JSON.parse(again.stdout)).toMatchObject({ total: 3 })
      expect(queries()).toBe(before + 3)
    } finally {
      await other.close()
    }
  }, 60_000)
})
