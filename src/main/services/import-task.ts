import crypto from 'node:crypto'
import path from 'node:path'
import type { EventMap } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { ImportResult } from '../files/import/import-options'
import { UnreadableFileError } from '../files/import/row-source'
import type { RunningImport } from '../files/import/worker-host'

// An import or preview as a task of the window's (and browser mode's): its progress told as
// task.progress events under the task id the caller chose (or one made here), stoppable by that id
// (imports.cancel), its end or failure told too. The same for the desktop's file, where the import
// runs in a worker thread (services/imports.ts), and a team database, where it runs in this process
// (services/team-import-ops.ts, docs/team-mode.md B8.18).

/** Whoever hears an import's progress: the file's context, a team host. */
export interface TaskHost {
  emit(event: 'task.progress', payload: EventMap['task.progress']): void
}

/** The imports in flight, by task id, per context or team host. */
const running = new WeakMap<object, Map<string, RunningImport>>()

function tasksOf(host: object): Map<string, RunningImport> {
  let map = running.get(host)
  if (!map) running.set(host, (map = new Map()))
  return map
}

/** A refusal from the import as the contract says it: its own sentence, else the file's detail. */
export function told(err: unknown): unknown {
  if (!(err instanceof UnreadableFileError)) return err
  return err.said
    ? AppError.say('unreadable_file', err.said.id, err.said.params)
    : AppError.say('unreadable_file', 'file.unreadable', { detail: err.message })
}

/**
 * Runs the import `start` begins to its end, with progress events; a stopped import is an error that
 * says so (what it wrote stays).
 */
export async function runImportTask(
  host: TaskHost,
  file: string,
  taskId: string | undefined,
  start: (onProgress: (rows: number) => void) => RunningImport,
): Promise<{ result: ImportResult; trades: number[] }> {
  const id = taskId ?? crypto.randomUUID()
  const progress = (done: number, total: number | null, finished: boolean, error: string | null) =>
    host.emit('task.progress', { taskId: id, kind: 'import', done, total, finished, error })
  let run: RunningImport
  try {
    run = start((rows) => progress(rows, null, false, null))
  } catch (err) {
    progress(0, null, true, (err as Error).message)
    throw err
  }
  const tasks = tasksOf(host)
  tasks.set(id, run)
  try {
    const done = await run.result
    if (done.result.stopped) {
      throw AppError.say('conflict', 'import.cancelled', {
        file: path.basename(file),
        rows: done.result.rows,
      })
    }
    progress(done.result.rows, done.result.rows, true, null)
    return done
  } catch (err) {
    const e = told(err)
    progress(0, null, true, (e as Error).message)
    throw e
  } finally {
    tasks.delete(id)
  }
}

/** Stops the import running under `taskId`, after the transaction (or page) in progress. */
export function cancelImport(host: object, taskId: string): { cancelled: boolean } {
  const run = tasksOf(host).get(taskId)
  run?.stop()
  return { cancelled: run !== undefined }
}

/**
 * Every import `host` runs, stopped after its transaction (or page) in progress and waited for: for a
 * team host closing its database, which a page still writing would otherwise find gone.
 */
export async function stopImports(host: object): Promise<void> {
  const runs = [...tasksOf(host).values()]
  for (const run of runs) run.stop()
  await Promise.allSettled(runs.map((run) => run.result))
}
