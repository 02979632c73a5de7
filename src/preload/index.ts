import { contextBridge, ipcRenderer } from 'electron'
import {
  buildApi,
  CHANNEL_PREFIX,
  EVENT_CHANNEL,
  EVENT_NAMES,
  OPERATION_NAMES,
  type RawApi,
  type Reply,
} from '../shared/api'
import type { EventName, OperationName } from '../shared/contract'
import { isWireError } from '../shared/errors'

// Exposes exactly the contract's operations as typed functions, and nothing else: no ipcRenderer, no
// channel names reach the page. Each answers a Reply (value or error as data): an Error would cross
// the context bridge with its message only, losing the code and the catalog entry the page needs.

async function call(name: OperationName, input: unknown): Promise<Reply> {
  if (!OPERATION_NAMES.includes(name)) throw new Error(`unknown operation ${String(name)}`)
  const reply = (await ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, input)) as
    { ok: true; value: unknown } | { ok: false; error: unknown }
  if (reply.ok) return { ok: true, value: reply.value }
  return {
    ok: false,
    error: isWireError(reply.error) ? reply.error : { code: 'internal', message: 'unknown error' },
  }
}

const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
ipcRenderer.on(EVENT_CHANNEL, (_event, message: { event: EventName; payload: unknown }) => {
  if (!EVENT_NAMES.includes(message.event)) return
  for (const l of listeners.get(message.event) ?? []) l(message.payload)
})

function on(event: EventName, listener: (payload: unknown) => void): () => void {
  if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${event}`)
  let set = listeners.get(event)
  if (!set) listeners.set(event, (set = new Set()))
  set.add(listener)
  return () => set.delete(listener)
}

const raw = buildApi(call, on) as unknown as RawApi
contextBridge.exposeInMainWorld('paysync', raw)
