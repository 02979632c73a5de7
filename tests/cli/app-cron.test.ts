import { describe, expect, it } from 'vitest'
import { runAppAndCron } from '../helpers/app-cron'
import { seedFrom } from '../helpers/prng'

// The app and a cron run on one database (issue 6, item 3), short form: `paysync serve` with its
// schedules on, and two `paysync sync --pending` started to meet its first pass. The long form, with
// more waves, is tests/reliability/app-cron.test.ts; the checks are in ../helpers/app-cron.ts.

describe('the app (serve with schedules) and cron sync one database', () => {
  it('no repair twice, conflicts recorded as 10007, every trade in the gateway state', async () => {
    const seed = seedFrom('APPCRON_SEED', 11, 'app + cron')
    const report = await runAppAndCron({ waves: 1, copies: 8, seed })
    console.log(`app + cron: ${JSON.stringify(report)}`)
    // The app's schedules took part, and the processes did meet at the leases.
    expect(report.appRecords).toBeGreaterThan(0)
    expect(report.appConflicts + report.cronConflicts).toBeGreaterThan(0)
  }, 120_000)
})
