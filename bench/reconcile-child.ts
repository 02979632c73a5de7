import path from 'node:path'
import { ServiceContext } from '../src/main/services/context'
import { reconcileDay } from '../src/main/services/statements/reconcile-day'
import { findMerchantByName } from '../src/main/store/merchants'
import { LARGE_BILL_DATE } from './bill-files'

// One reconciliation of `npm run bench` (./reconcile.ts) in a process of its own, so that its peak
// memory is its own: the bill file reconciled as an upload, a dry run (no syncs, no anomalies);
// prints one JSON line.

const [, dbFile, file] = process.argv.slice(2)
const ctx = new ServiceContext({ dbFile: dbFile!, transport: 'cli' })
const merchant = findMerchantByName(ctx.db, 'bench')!
const t0 = performance.now()
const r = await reconcileDay(ctx, merchant, LARGE_BILL_DATE, {
  file: { path: path.resolve(file!), name: path.basename(file!), stored: false },
  dryRun: true,
  waitForSyncs: false,
})
const ms = performance.now() - t0
await ctx.close()
process.stdout.write(
  `${JSON.stringify({
    lines: r.lines.total,
    matched: r.matched + r.matchedCrossDay,
    status: r.status,
    error: r.errorMsg,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
)
