import type { EventMap, EventName, OperationName, OperationOutput } from '../../shared/contract'
import type { ServiceContext } from './context'
import { exportedFile } from './downloads'
import { dispatch } from './index'

// What a transport (browser mode's HTTP server) serves: the contract's operations, the events for the
// window, and the files it downloads. The desktop's file answers through its ServiceContext; a team
// database through services/team-host.ts (docs/team-mode.md B8.13). Both validate an input where it
// enters main.

export interface ApiBackend {
  dispatch<K extends OperationName>(name: K, input: unknown): Promise<OperationOutput<K>>
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void
  /** A browser-mode export by its id, or null when there is none such. */
  exportedFile(id: string): { file: string; name: string } | null
}

export function fileBackend(ctx: ServiceContext): ApiBackend {
  return {
    dispatch: (name, input) => dispatch(ctx, name, input),
    on: (event, listener) => ctx.on(event, listener),
    exportedFile: (id) => exportedFile(ctx, id),
  }
}
