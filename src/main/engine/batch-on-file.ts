import type { Db } from '../store/connection'
import { sqliteCoordination } from '../store/coordination/sqlite'
import type { Coordination } from '../store/coordination/types'
import { fileCalls } from '../store/sql/calls'
import type { BatchEngine, BatchRunOptions } from './batch-run-base'
import { BatchRun } from './batch-runner'

// The desktop's batch run: the runner of batch-runner.ts on the SQLite file, whose store calls are
// done when they return, as they always were (a team database's is services/team-batches.ts).
/** A run on the desktop's file: its books answer at once, its runners meet in the same file by default. */
export function fileBatchRun(
  db: Db,
  engine: BatchEngine,
  batchId: number,
  options: Omit<BatchRunOptions, 'coordination'> & { coordination?: Coordination } = {},
): BatchRun {
  return new BatchRun(fileCalls(db), engine, batchId, {
    ...options,
    coordination: options.coordination ?? sqliteCoordination(db),
  })
}
