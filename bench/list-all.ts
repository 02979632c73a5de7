import { spawn } from 'node:child_process'
import path from 'node:path'
import { figure, type Figure } from './figures'

// Every row of a large list for a script: `paysync records --json --all` over the store figure's
// books, one process as from a cron job, its JSON lines counted as they come. Each page goes on from
// the last row of the one before (docs/cli.md section 1.3); pages counted by offset made the rate
// fall with the size of the list, as each page stepped through every row before it.

const BIN = path.resolve('bin/paysync.js')

function streamAll(recordsDb: string): Promise<{ rows: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now()
    const child = spawn(process.execPath, [BIN, '--db', recordsDb, 'records', '--json', '--all'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let rows = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve({ rows, ms: performance.now() - t })
      else reject(new Error(`paysync records --json --all exited ${code}: ${stderr}`))
    })
  })
}

/** `recordsDb` holds `n` sync records (bench/store.ts). */
export async function listAllFigures(recordsDb: string, n: number): Promise<Figure[]> {
  const r = await streamAll(recordsDb)
  if (r.rows !== n) throw new Error(`paysync records --json --all wrote ${r.rows} rows of ${n}`)
  return [
    figure(
      `cli: paysync records --json --all, every one of ${n} records: rate`,
      r.rows / (r.ms / 1000),
      'rows/s',
      50_000,
      { atLeast: 1 },
    ),
  ]
}
