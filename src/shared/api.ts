import type { EventMap, EventName, OperationInput, OperationName, OperationOutput } from './contract'

// The names of the contract's operations and events, and the nested API built from them. Kept apart
// from the schemas so that the preload (sandboxed, bundled whole) carries names, not validators.

export const OPERATION_NAMES = [
  'app.info',
  'overview.get',
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
  'merchants.list',
  'merchants.add',
  'merchants.update',
  'merchants.setEnabled',
  'merchants.remove',
  'merchants.test',
  'imports.preview',
  'imports.run',
  'batches.start',
  'batches.list',
  'batches.get',
  'batches.items',
  'batches.pause',
  'batches.resume',
  'batches.cancel',
  'export.run',
  'files.pickOpen',
  'files.pickSave',
  'files.upload',
  'settings.get',
  'settings.set',
  'keys.setHeadless',
] as const satisfies readonly OperationName[]

// Every operation of the contract is named here, and nothing else is.
type Missing = Exclude<OperationName, (typeof OPERATION_NAMES)[number]>
const complete: [Missing] extends [never] ? true : Missing = true
void complete

export const EVENT_NAMES = ['batch.progress', 'task.progress'] as const satisfies readonly EventName[]

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
