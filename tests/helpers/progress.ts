import type { BatchRun } from '../../src/main/engine/batch-runner'
import type { BatchProgressEvent } from '../../src/shared/contract'

/**
 * Resolves with the first progress event of `run` that satisfies `until`: a test catches a batch
 * mid-flight by what it has done, not by how long it has run. Rejects if the batch ends first. Runs
 * report at most every `progressEveryMs`; a test that needs every step gives its run 0.
 */
export function waitForProgress(
  run: BatchRun,
  until: (p: BatchProgressEvent) => boolean,
): Promise<BatchProgressEvent> {
  return new Promise((resolve, reject) => {
    const stop = run.watch((p) => {
      if (until(p)) {
        stop()
        resolve(p)
      } else if (p.status === 'done' || p.status === 'cancelled') {
        stop()
        reject(
          new Error(`batch ${p.batchId} ended ${p.status} with ${p.done} done, before the awaited progress`),
        )
      }
    })
  })
}
