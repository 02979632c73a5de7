import type { Actor, StorageFault, SyncSource, TradeType } from '../../shared/domain'
import { storageFaultOf } from '../store/faults'
import { BatchLanes } from './batch-lanes'
import type { AttemptRunner } from './sync/attempts'
import type { SyncResult } from './sync/types'

// A pass over trades without a stored batch: each merchant's trades in a lane of their own, under
// the pace (calls at once, calls per second per merchant; batch-lanes.ts). The app's schedules run one
// each tick (scheduler.ts); a team database's nightly pass runs one over every pending trade
// (docs/team-mode.md B8.9). The engine's lease keeps a trade from being synced twice at once.

export interface PassTrade {
  type: TradeType
  id: number
  merchantId: number
  source: SyncSource
}

export interface PassOutcome {
  results: SyncResult[]
  /** Attempts that ended in an error that is not the storage's (a trade gone meanwhile): said, skipped. */
  failed: string[]
  /** The storage fault that stopped the pass: what was answered is kept, the rest waits. */
  fault: StorageFault | null
}

export interface PassControl {
  /** The lanes of the pass in progress, so that a stop can drop what has not started. */
  lanes?: (lanes: BatchLanes | null) => void
}

export async function syncInLanes(
  engine: Pick<AttemptRunner, 'sync'>,
  trades: readonly PassTrade[],
  pace: { concurrency: number; qps: number },
  actor: Actor,
  control: PassControl = {},
): Promise<PassOutcome> {
  const lanes = new BatchLanes(pace)
  const out: PassOutcome = { results: [], failed: [], fault: null }
  control.lanes?.(lanes)
  for (const t of trades) {
    const lane = lanes.of(t.merchantId, false)
    void lane.queue.add(() =>
      engine
        .sync(t.type, t.id, { source: t.source, ...actor, gate: lane.gate, slots: lane.slots })
        .then((r) => void out.results.push(r))
        .catch((err: unknown) => {
          // The storage refused a write (docs/domain.md section 6.8): what was answered is kept, and
          // the rest of the pass waits for a later one instead of asking the gateway for nothing.
          const fault = storageFaultOf(err)
          if (!fault)
            return void out.failed.push(
              `${t.type} ${t.id}: ${err instanceof Error ? err.message : String(err)}`,
            )
          out.fault ??= fault
          lanes.clear()
        }),
    )
  }
  await lanes.drained()
  control.lanes?.(null)
  return out
}
