import type { StorageFault } from '../../shared/domain'
import { AppError } from '../../shared/errors'

// Apart from services/sync.ts, which raises it, because every transport's error mapping says it too
// (services/index.ts, toWireError), and that must not load the batch runner.

/** An operation the storage refused, in a sentence that says what became of the gateway's answers. */
export function storageError(fault: StorageFault): AppError {
  return AppError.say('store', `storage.${fault}`)
}
