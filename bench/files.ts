import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { packageRoot } from '../src/main/server/root'
import { promisify } from 'node:util'
import { fenToYuan } from '../src/shared/money'
import { figure, type Figure } from './figures'

const run = promisify(execFile)
const ROOT = packageRoot()

async function child(
  task: string,
  db: string,
  file: string,
): Promise<{ rows: number; ms: number; cpuMs: number; maxRssMb: number; threadsMs?: number[] | null }> {
  const { stdout } = await run(
    process.execPath,
    [path.join(ROOT, 'bin/bench-child.js'), task, db, file],

    { cwd: ROOT, maxBuffer: 1 << 20, timeout: 600_000 },
  )
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    rows: number
    ms: number
    cpuMs: number
    maxRssMb: number
    threadsMs?: number[] | null
  }
}

export async function exportFigures(dir: string, recordsDb: string, n: number): Promise<Figure[]> {
  const r = await child('export', recordsDb, path.join(dir, 'records.csv'))
  return [
    figure(`CSV export of ${n} sync records: rate`, r.rows / (r.ms / 1000), 'rows/s', 200_000, {
      atLeast: 1,
    }),
    figure(`CSV export of ${n} sync records: peak memory`, r.maxRssMb, 'MB', 250, { atMost: 1 }),
    // On a shared machine the wall clock parts from the work: the CPU time says whether the work changed.
    figure(`CSV export of ${n} sync records: CPU time`, r.cpuMs / 1000, 's', null, null),
    // The export's threads run side by side: with a core each, it takes as long as the busiest of
    // them, or the CPU time shared out over the cores if that is longer. An estimate for a loaded
    // machine, beside the rate measured; Linux only.
    ...(r.threadsMs?.length
      ? [
          figure(
            `CSV export of ${n} sync records: rate on idle cores (estimated from each thread's CPU time)`,
            r.rows /
              (Math.max(r.threadsMs[0]!, r.threadsMs.reduce((a, b) => a + b, 0) / os.cpus().length) / 1000),
            'rows/s',
            200_000,
            null,
          ),
        ]
      : []),
  ]
}

export function writeOrderCsv(file: string, n: number): void {
  const fd = fs.openSync(file, 'w')
  const lines: string[] = ['orderNo,merchant,amountYuan,status,title,createdAt,expiredAt']
  for (let i = 0; i < n; i++) {
    lines.push(
      `ORD${String(i).padStart(12, '0')},bench,${fenToYuan((i % 100000) + 100)},${i % 7 === 0 ? '成功' : 'progress'},商品${i % 1000},2026-11-${String((i % 28) + 1).padStart(2, '0')} 10:00:00,2026-12-01 00:00:00`,
    )
    if (lines.length >= 10_000) {
      fs.writeSync(fd, lines.join('\n') + '\n')
      lines.length = 0
    }
  }
  if (lines.length) fs.writeSync(fd, lines.join('\n') + '\n')
  fs.closeSync(fd)
}

export async function importFigures(dir: string, n: number): Promise<Figure[]> {
  const csv = path.join(dir, 'orders.csv')
  writeOrderCsv(csv, n)
  const r = await child('import', path.join(dir, 'import.db'), csv)
  return [
    figure(`import of a ${n}-row CSV: rate`, r.rows / (r.ms / 1000), 'rows/s', 100_000, { atLeast: 1 }),
    figure(`import of a ${n}-row CSV: peak memory`, r.maxRssMb, 'MB', 250, { atMost: 1 }),
    figure(`import of a ${n}-row CSV: CPU time`, r.cpuMs / 1000, 's', null, null),
  ]
}
