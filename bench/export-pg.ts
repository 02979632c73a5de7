import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { figure, type Figure } from './figures'

// `paysync export records --db postgres://…` over the store part's million records in a team database
// (issue 15 item 8, docs/team-mode.md B8.6): the real command line in a process of its own, the rows
// read through a server-side cursor a fetch at a time, so its peak memory stays that of a small export.
// Held to the same limits as the file's export (bench/files.ts).

const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)

/** Loaded before the command: its peak RSS, written where the bench reads it when the process ends. */
const PROBE = `import fs from 'node:fs'
process.on('exit', () => fs.writeFileSync(process.env.PAYSYNC_MEMORY_REPORT, String(process.resourceUsage().maxRSS * 1024)))`

export async function exportPgFigures(url: string, dir: string, n: number): Promise<Figure[]> {
  const out = path.join(dir, 'records-pg.csv')
  const report = path.join(dir, 'export-pg-memory.txt')
  const t0 = performance.now()
  const said = await run(
    process.execPath,
    [
      `--import=data:text/javascript,${encodeURIComponent(PROBE)}`,
      BIN,
      'export',
      'records',
      '--db',
      url,
      '--out',
      out,
      '--json',
    ],
    {
      env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: dir, PAYSYNC_MEMORY_REPORT: report },
      maxBuffer: 1 << 20,
    },
  )
  const ms = performance.now() - t0
  const rows = (JSON.parse(said.stdout) as { rows: number }).rows
  const rssMb = Number(fs.readFileSync(report, 'utf8')) / 2 ** 20
  fs.rmSync(out, { force: true })
  return [
    figure(
      `store-pg: CSV export of ${n} sync records from a team database: rate`,
      rows / (ms / 1000),
      'rows/s',
      200_000,
      {
        atLeast: 1,
      },
    ),
    figure(`store-pg: CSV export of ${n} sync records from a team database: peak memory`, rssMb, 'MB', 250, {
      atMost: 1,
    }),
  ]
}
