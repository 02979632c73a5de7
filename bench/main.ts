import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { batchThroughput } from './batch'
import { batchShared } from './batch-shared'
import { browserFigure } from './browser'
import { cliStartFigures } from './cli-start'
import { engineCpu } from './engine-cpu'
import { describe, type Figure } from './figures'
import { exportFigures, importFigures } from './files'
import { listAllFigures } from './list-all'
import { reconcileFigures } from './reconcile'
import { sideBySide } from './side-by-side'
import { storeFigures } from './store'
import { storePgFigures } from './store-pg'
import { syncPgFigures } from './sync-pg'

// `npm run bench [-- --json] [-- --quick] [-- --rows N] [-- --only batch,shared,side,cpu,store,store-pg,export,import,browser,cli,reconcile,sync-pg,shared-pg]`.
// Every figure is printed beside the limit it is measured against and its goal; --json prints
// {"figures": [{name, value, unit, limit, ratio, goal, goalMet}]}.

const args = process.argv.slice(2)
const json = args.includes('--json')
const quick = args.includes('--quick')
const onlyArg = args.find((a) => a.startsWith('--only'))
const only = onlyArg
  ? new Set((onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(','))
  : null
const want = (k: string) => !only || only.has(k)
const rowsArg = args.find((a) => a.startsWith('--rows'))
const rows = rowsArg
  ? Number(rowsArg.includes('=') ? rowsArg.split('=')[1] : args[args.indexOf(rowsArg) + 1])
  : null
if (rows !== null && !(Number.isSafeInteger(rows) && rows > 0)) throw new Error('--rows needs a whole number')
// --rows sizes the store, export, import and reconcile figures (a 100k run is a quick check of the 1M goal).
const N = rows ?? (quick ? 50_000 : 1_000_000)
const BATCH = quick ? 2_000 : 10_000

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-bench-'))
const figures: Figure[] = []
const log = (s: string) => (json ? process.stderr.write(`${s}\n`) : process.stdout.write(`${s}\n`))
const add = (fs2: Figure[]) => {
  figures.push(...fs2)
  for (const f of fs2) log(describe(f))
}

try {
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  )
  if (want('batch')) add(await batchThroughput(dir, BATCH))
  if (want('shared')) add(await batchShared(dir, BATCH))
  // The same two processes on one batch of a team database (issue 15 item 8, docs/team-mode.md B8.10).
  if (want('shared-pg')) add(await batchShared(dir, BATCH, 20, 16, 400, 'team', log))
  // The same at half the rate and half the calls at once: the machine then has cores to spare (the
  // server, the simulator and both runners share its two), so the figure says whether the engine's
  // sharing of the limit holds its goal or the machine does not (docs/team-mode.md B8.10).
  if (want('shared-pg'))
    add(await batchShared(dir, BATCH, 20, 8, 200, 'team', log, ' at half the rate (C=8, Q=200)'))
  if (want('side')) add(await sideBySide(dir, 1_000, quick ? 1 : 3))
  if (want('cpu')) add(await engineCpu(dir, quick ? 500 : 2_000))
  let recordsDb: string | null = null
  if (want('store') || want('store-pg') || want('export') || want('browser') || want('cli')) {
    const s = storeFigures(dir, N)
    recordsDb = s.file
    if (want('store')) add(s.figures)
    if (want('store-pg')) add(await storePgFigures(s, N, log))
  }
  if (want('export') && recordsDb) add(await exportFigures(dir, recordsDb, N))
  if (want('import')) add(await importFigures(dir, N))
  if (want('browser') && recordsDb) add(await browserFigure(recordsDb, N))
  if (want('cli') && recordsDb)
    add([...(await cliStartFigures(recordsDb, N)), ...(await listAllFigures(recordsDb, N))])
  if (want('reconcile')) add(await reconcileFigures(dir, N))
  if (want('sync-pg')) add(await syncPgFigures(dir, quick ? 1_000 : 4_000, log))
  if (json)
    process.stdout.write(
      `${JSON.stringify({ machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, figures })}\n`,
    )
  const missed = figures.filter((f) => f.goalMet === false)
  if (!json) log(missed.length ? `\n${missed.length} goal(s) not met` : '\nevery goal met')
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}
