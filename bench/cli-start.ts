import { execFile } from 'node:child_process'
import path from 'node:path'
import { figure, type Figure } from './figures'

// Issue 16, item 5: how long a `paysync` command takes from the shell, beside Node's own start. Each
// is a fresh process, as from a cron job or a script; the three run in turn, round after round, so a
// busy moment of this shared machine falls on all of them alike, and the median of each is printed.

const BIN = path.resolve('bin/paysync.js')

function timed(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now()
    execFile(process.execPath, args, { maxBuffer: 64 * 2 ** 20 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')}: ${err.message}\n${stderr}`))
      else resolve(performance.now() - t)
    })
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** `recordsDb` is the store figure's database: `n` sync records in books the command line opens. */
export async function cliStartFigures(recordsDb: string, n: number, rounds = 9): Promise<Figure[]> {
  const runs: Array<[string, string[]]> = [
    ['node', ['-e', '0']],
    ['help', [BIN, '--help']],
    ['list', [BIN, '--db', recordsDb, 'records']],
  ]
  // Once each, unmeasured: the first use bundles the sources, and the file cache warms.
  for (const [, args] of runs) await timed(args)
  const ms = new Map(runs.map(([k]) => [k, [] as number[]]))
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another of the three, so none always runs right after the same one.
    for (let i = 0; i < runs.length; i++) {
      const [k, args] = runs[(round + i) % runs.length]!
      ms.get(k)!.push(await timed(args))
    }
  }
  const node = median(ms.get('node')!)
  return [
    figure(`cli start: node -e 0 (Node's own start, median of ${rounds})`, node, 'ms', null, null),
    figure(`cli start: paysync --help (median of ${rounds})`, median(ms.get('help')!), 'ms', 150, {
      atMost: 1,
    }),
    figure(
      `cli start: paysync records, first page, at ${n} records (median of ${rounds})`,
      median(ms.get('list')!),
      'ms',
      300,
      { atMost: 1 },
    ),
  ]
}
