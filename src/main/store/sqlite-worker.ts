import type Database from 'better-sqlite3'
import { createRequire } from 'node:module'
import { Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads'

// A worker thread with a better-sqlite3 connection of its own, for the slow reads and the checkpoints
// that must not hold up the process's own thread (checkpointer.ts, integrity.ts, row-reader.ts).
//
// Why the worker is not a .ts file of its own: the same source runs under three runtimes, and none
// of them would find it. electron-vite's main build emits a separate worker file only through its own
// `?modulePath` import; the esbuild bundles of bin/ (the CLI, bench, bench-child) would each need it
// as an extra entry point; and under vitest or tsx the worker thread is plain Node 20, which cannot
// load TypeScript without a loader hook of its own. So each worker is a typed function instead, and
// `Function.prototype.toString` gives back the JavaScript the runtime compiled it to, which the one
// bootstrap below runs with `eval: true`. Type-checked and linted like the rest; the price is that the
// function must use nothing but its arguments and JavaScript's globals (not even an import), because
// only its own text reaches the worker. The tests of the three workers run them under vitest, and
// `paysync check` under the CLI bundle.

/** Opens the worker's connection to the file: better-sqlite3 with the caller's nativeBinding. */
export type OpenDatabase = (options?: Database.Options) => Database.Database

/**
 * The body of a worker, run in the worker thread with the connection opener, the caller's data and
 * the port to the caller. It sees nothing of the module it is written in.
 */
export type SqliteWorkerBody<D> = (open: OpenDatabase, data: D, port: MessagePort) => void

// esbuild with keepNames (tsx compiles so) wraps named inner functions in `__name(fn, 'name')`, a
// helper at the top of the module that the function's text leaves behind; this is that helper.
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const __name = (target, value) => Object.defineProperty(target, 'name', { value, configurable: true })
const open = (options) => new Database(workerData.file, { ...options, nativeBinding: workerData.nativeBinding })
`

/**
 * Starts `body` in a worker thread on the database `file`. Throws as `new Worker` does when the
 * thread cannot start; the callers fall back to doing without.
 */
export function startSqliteWorker<D>(
  body: SqliteWorkerBody<D>,
  file: string,
  data: D,
  options: { nativeBinding?: string; resourceLimits?: ResourceLimits } = {},
): Worker {
  return new Worker(`${BOOTSTRAP}\n;(${body.toString()})(open, workerData.data, parentPort)\n`, {
    eval: true,
    workerData: {
      module: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      nativeBinding: options.nativeBinding,
      data,
    },
    resourceLimits: options.resourceLimits,
  })
}
