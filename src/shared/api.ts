import type { EventMap, EventName, OperationInput, OperationName, OperationOutput } from './contract'
import { ApiError, isWireError, type WireError } from './errors'

// The names of the contract's operations and events, and the nested API built from them. Kept apart
// from the schemas so that the preload (sandboxed, bundled whole) carries names, not validators.

export const OPERATION_NAMES = [
  'app.info',
  'overview.get',
  'search.trades',
  'records.list',
  'records.get',
  'orders.list',
  'orders.get',
  'orders.sync',
  'refunds.list',
  'refunds.get',
  'repairs.list',
  'anomalies.list',
  'anomalies.get',
  'anomalies.resolve',
  'audit.list',
  'merchants.list',
  'merchants.add',
  'merchants.update',
  'merchants.setEnabled',
  'merchants.remove',
  'merchants.test',
  'merchants.removeDemo',
  'imports.preview',
  'imports.run',
  'imports.cancel',
  'imports.template',
  'mappings.list',
  'mappings.save',
  'mappings.remove',
  'mappings.export',
  'batches.start',
  'batches.list',
  'batches.get',
  'batches.items',
  'batches.pause',
  'batches.resume',
  'batches.cancel',
  'batches.openTrades',
  'schedule.release',
  'export.run',
  'files.pickOpen',
  'files.pickSave',
  'files.upload',
  'settings.get',
  'settings.set',
  'keys.setHeadless',
  'keys.unlock',
  'keys.setPassphrase',
  'statements.list',
  'statements.get',
  'statements.lines',
  'statements.diffs',
  'statements.carryOver',
  'statements.calendar',
  'statements.reconcile',
  'statements.rerun',
  'statements.dismissDiffs',
  'statements.resyncDiffs',
  'statements.original',
  'teamDb.check',
  'teamDb.copyIn',
  'teamDb.use',
  'teamDb.leave',
] as const satisfies readonly OperationName[]

// Every operation of the contract is named here, and nothing else is.
type Missing = Exclude<OperationName, (typeof OPERATION_NAMES)[number]>
const complete: [Missing] extends [never] ? true : Missing = true
void complete

/** The Electron IPC channel of an operation is this prefix and its name; events come on EVENT_CHANNEL. */
export const CHANNEL_PREFIX = 'paysync:'
export const EVENT_CHANNEL = 'paysync:event'

export const EVENT_NAMES = [
  'batch.progress',
  'task.progress',
  'statement.progress',
  'teamDb.progress',
  'store.changed',
] as const satisfies readonly EventName[]

type GroupOf<K> = K extends `${infer G}.${string}` ? G : never
type MethodOf<K, G extends string> = K extends `${G}.${infer M}` ? M : never

/** The API as the window sees it: `api.records.list(input)`. */
export type Api = {
  [G in GroupOf<OperationName>]: {
    [K in OperationName as MethodOf<K, G>]: (input?: OperationInput<K>) => Promise<OperationOutput<K>>
  }
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void
}

/** Builds the nested API from one generic caller: every transport shares this. */
export function buildApi(
  call: (name: OperationName, input: unknown) => Promise<unknown>,
  on: (event: EventName, listener: (payload: unknown) => void) => () => void,
): Api {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {}
  for (const name of OPERATION_NAMES) {
    const [group, method] = name.split('.') as [string, string]
    api[group] ??= {}
    api[group][method] = (input?: unknown) => call(name, input ?? {})
  }
  return Object.assign(api, { on: on as Api['on'] }) as unknown as Api
}

/** What a transport answers for one call: the value, or the error as plain data. */
export type Reply = { ok: true; value: unknown } | { ok: false; error: WireError }

/**
 * The API as the Electron preload exposes it: every operation answers a `Reply`. Electron copies an
 * Error across the context bridge with its message only, so errors cross as data and become
 * `ApiError`s on the page's side (`fromRawApi`).
 */
export type RawApi = {
  [G in GroupOf<OperationName>]: {
    [K in OperationName as MethodOf<K, G>]: (input?: OperationInput<K>) => Promise<Reply>
  }
} & Pick<Api, 'on'>

/** A reply's value, or its error thrown as an `ApiError`. */
export function unwrapReply(reply: unknown, fallback = 'no answer'): unknown {
  const r = reply as { ok?: boolean; value?: unknown; error?: unknown } | null
  if (r?.ok === true) return r.value
  const error = isWireError(r?.error) ? r.error : { code: 'internal' as const, message: fallback }
  throw new ApiError(error)
}

/** The page's API over the preload's raw one. */
export function fromRawApi(raw: RawApi): Api {
  const groups = raw as unknown as Record<string, Record<string, (input: unknown) => Promise<Reply>>>
  return buildApi(
    async (name, input) => {
      const [group, method] = name.split('.') as [string, string]
      return unwrapReply(await groups[group]![method]!(input))
    },
    raw.on as (event: EventName, listener: (payload: unknown) => void) => () => void,
  )
}
