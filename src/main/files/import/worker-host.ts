import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'
import type { ImportResult } from './import-options'
import { UnreadableFileError } from './row-source'
import type { ImportJob, WorkerData, WorkerReply, WorkerRequest } from './worker-protocol'

// Runs imports in worker threads (worker.ts) with a limited heap: a workbook that needs more memory
// than an import may spend ends its worker, with a sentence, and the process that syncs, serves the
// window and answers the command line goes on (review-security M3: an 11 MB file aborted it).
//
// Where the worker's code is depends on how this process runs, as for the SQLite workers
// (store/sqlite-worker.ts), but here the worker is the importer itself, too much to pass as one
// function's text: the desktop app names the file electron-vite built for it (`?modulePath`, app/
// index.ts); the command line's bundle has `import-worker.mjs` beside it (bin/bundle.js builds both);
// and from the TypeScript sources (tests, tsx) the worker registers tsx before loading worker.ts.

/** What one import may use. A million-row import needs a small part of it: rows stream. */
const LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 }
/** An idle worker is kept this long for the next import (a preview is followed by its import). */
const IDLE_MS = 60_000
/** A stopped job that has not ended by then (a reader stuck inside one part) is ended by force. */
const STOP_GRACE_MS = 10_000

export interface ImportWorkersSetup {
  dbFile: string
  nativeBinding?: string
  /** The worker's file; without one it is found beside this module (see above). */
  script?: string
  resourceLimits?: ResourceLimits
}

export interface RunningImport {
  result: Promise<{ result: ImportResult; trades: number[] }>
  /** Ends the import after the transaction in progress; what was written stays. */
  stop(): void
}

interface Slot {
  worker: Worker
  idle: NodeJS.Timeout | null
}

/** tsx's module-loader API, as an ES module (a plain resolve would name its CommonJS twin). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>
  }
  return path.join(path.dirname(manifest), pkg.exports['./esm/api']!.import.default)
}

function tsWorker(data: WorkerData, resourceLimits: ResourceLimits): Worker {
  const here = fileURLToPath(import.meta.url)
  const tsx = tsxEsmApi()
  const entry = pathToFileURL(path.join(path.dirname(here), 'worker.ts')).href
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)})
    .then((api) => { api.register(); return import(${JSON.stringify(entry)}) })
    .catch((err) => { throw err })`
  return new Worker(code, { eval: true, workerData: data, resourceLimits })
}

export class ImportWorkers {
  private readonly idle: Slot[] = []
  private readonly busy = new Set<Worker>()
  private next = 1
  private closed = false

  constructor(private readonly setup: ImportWorkersSetup) {}

  private get limits(): ResourceLimits {
    return this.setup.resourceLimits ?? LIMITS
  }

  /** Worker threads alive now, idle or busy. */
  get threads(): number {
    return this.idle.length + this.busy.size
  }

  private spawn(): Worker {
    const data: WorkerData = { dbFile: this.setup.dbFile, nativeBinding: this.setup.nativeBinding }
    const limits = this.limits
    if (this.setup.script) return new Worker(this.setup.script, { workerData: data, resourceLimits: limits })
    const here = fileURLToPath(import.meta.url)
    if (here.endsWith('.ts')) return tsWorker(data, limits)
    return new Worker(path.join(path.dirname(here), `import-worker${path.extname(here)}`), {
      workerData: data,
      resourceLimits: limits,
    })
  }

  private take(): Worker {
    const slot = this.idle.pop()
    if (slot) {
      if (slot.idle) clearTimeout(slot.idle)
      slot.worker.ref()
      return slot.worker
    }
    return this.spawn()
  }

  private give(worker: Worker): void {
    this.busy.delete(worker)
    if (this.closed) {
      void worker.terminate()
      return
    }
    worker.unref()
    const slot: Slot = { worker, idle: null }
    slot.idle = setTimeout(() => {
      const i = this.idle.indexOf(slot)
      if (i >= 0) this.idle.splice(i, 1)
      void worker.terminate()
    }, IDLE_MS)
    slot.idle.unref()
    this.idle.push(slot)
  }

  run(job: ImportJob, onProgress?: (rows: number) => void): RunningImport {
    if (this.closed) throw new Error('the import workers are closed')
    const worker = this.take()
    this.busy.add(worker)
    const id = this.next++
    let forced: NodeJS.Timeout | null = null
    let rows = 0
    const file = path.basename(job.file)
    const result = new Promise<{ result: ImportResult; trades: number[] }>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
        if (forced) clearTimeout(forced)
      }
      const onMessage = (m: WorkerReply) => {
        if (m.id !== id || m.type === 'restored') return
        if (m.type === 'progress') {
          rows = m.rows
          return onProgress?.(m.rows)
        }
        done()
        this.give(worker)
        if (m.type === 'done') resolve({ result: m.result, trades: m.trades })
        else if (m.error.unreadable) reject(new UnreadableFileError(m.error.message, m.error.said))
        else reject(new Error(m.error.message))
      }
      const onError = (err: Error & { code?: string }) => {
        done()
        this.busy.delete(worker)
        this.restoreIndexes()
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY')
          reject(
            UnreadableFileError.say('import.outOfMemory', {
              file,
              mb: this.limits.maxOldGenerationSizeMb ?? 0,
            }),
          )
        else reject(err)
      }
      const onExit = (code: number) => {
        done()
        this.busy.delete(worker)
        this.restoreIndexes()
        reject(
          forced === null
            ? new Error(`the import worker ended (exit code ${code}) before it finished ${file}`)
            : UnreadableFileError.say('import.cancelled', { file, rows }),
        )
      }
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
    })
    worker.postMessage({ type: 'import', id, job } satisfies WorkerRequest)
    return {
      result,
      stop: () => {
        worker.postMessage({ type: 'stop', id } satisfies WorkerRequest)
        forced ??= setTimeout(() => void worker.terminate(), STOP_GRACE_MS)
      },
    }
  }

  /**
   * A worker that ended mid-import may have left the orders' secondary indexes dropped
   * (store/deferred-indexes.ts); this process lives on, so no connection opening would build them.
   * Another worker builds whatever is listed, off this thread. It may build those of an import still
   * running in a third worker: that import then goes on with its indexes, only slower.
   */
  private restoreIndexes(): void {
    if (this.closed) return
    const worker = this.take()
    this.busy.add(worker)
    const id = this.next++
    const end = (give: boolean) => {
      worker.off('message', onMessage)
      worker.off('error', onFailed)
      worker.off('exit', onFailed)
      if (give) this.give(worker)
      else this.busy.delete(worker)
    }
    const onMessage = (m: WorkerReply) => {
      if (m.id === id) end(true)
    }
    const onFailed = () => end(false)
    worker.on('message', onMessage)
    worker.once('error', onFailed)
    worker.once('exit', onFailed)
    worker.postMessage({ type: 'restore', id } satisfies WorkerRequest)
  }

  async close(): Promise<void> {
    this.closed = true
    const all = [...this.idle.map((s) => s.worker), ...this.busy]
    for (const s of this.idle) if (s.idle) clearTimeout(s.idle)
    this.idle.length = 0
    await Promise.all(all.map((w) => w.terminate()))
  }
}
