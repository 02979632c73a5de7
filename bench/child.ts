import path from 'node:path'
import { ServiceContext } from '../src/main/services/context'
import { exportCsv } from '../src/main/services/export'
import { importFile } from '../src/main/files/import/importer'
import { insertMerchant } from '../src/main/store/merchants'
import { sampleThreads } from './thread-cpu'

// Work measured in a process of its own, so that its peak memory is its own: prints one JSON line.

const [task, dbFile, file] = process.argv.slice(2)
const ctx = new ServiceContext({ dbFile: dbFile!, transport: 'cli' })
const t0 = performance.now()
let rows = 0
let threadsMs: number[] | null = null
if (task === 'export') {
  const threads = sampleThreads()
  rows = (await exportCsv(ctx, { kind: 'records', file: file!, filter: {} })).rows
  threadsMs = threads?.stop() ?? null
} else if (task === 'import') {
  insertMerchant(ctx.db, {
    name: 'bench',
    channel: 'alipay',
    mode: 'direct',
    endpoint: 'https://example.invalid',
    settings: {},
    secrets: null,
    secretNames: [],
    enabled: true,
  })
  const s = await importFile(ctx.db, path.resolve(file!), { type: 'pay' })
  rows = s.rows
  if (s.rejected) throw new Error(`${s.rejected} rows rejected: ${JSON.stringify(s.errors.slice(0, 3))}`)
} else throw new Error(`unknown task ${task}`)
const ms = performance.now() - t0
await ctx.close()
const cpu = process.cpuUsage()
// CPU time beside the wall clock: on a shared machine the two part, and the CPU time tells whether
// the work itself changed.
const cpuMs = (cpu.user + cpu.system) / 1000
process.stdout.write(
  `${JSON.stringify({ rows, ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024, threadsMs })}\n`,
)
