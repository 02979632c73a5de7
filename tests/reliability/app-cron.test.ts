import { describe, expect, it } from 'vitest'
import { runAppAndCron } from '../helpers/app-cron'
import { seedFrom } from '../helpers/prng'

// The app and cron on one database (issue 6, item 3), long form: `paysync serve` with its schedules
// on for five waves of new trades, each met by two `paysync sync --pending` runs timed to the app's
// next pass. The checks of the end state are in ../helpers/app-cron.ts.

describe('the app (serve with schedules) and cron sync one database, wave after wave', () => {
  it('no repair twice, conflicts recorded as 10007 on both sides, every trade in the gateway state', async () => {
    const seed = seedFrom('APPCRON_SEED', 20_261_107, 'app + cron waves')
    const report = await runAppAndCron({ waves: 5, copies: 10, seed })
    console.log(`app + cron: ${JSON.stringify(report)}`)
    expect(report.appRecords).toBeGreaterThan(0)
    // Over five waves the app and the cron runs meet from both sides.
    expect(report.appConflicts).toBeGreaterThan(0)
    expect(report.cronConflicts).toBeGreaterThan(0)
  }, 600_000)
})
