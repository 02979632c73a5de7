import { contextBridge, ipcRenderer } from 'electron'
import { buildApi, EVENT_NAMES, OPERATION_NAMES } from '../shared/api'
import type { EventName, OperationName } from '../shared/contract'
import { isWireError } from '../shared/errors'

// Exposes exactly the contract's operations as typed functions, and nothing else: no ipcRenderer, no
// channel names reach the page.

const CHANNEL_PREFIX = 'paysync:'
const EVENT_CHANNEL = 'paysync:event'

async function call(name: OperationName, input: unknown): Promise<unknown> {
  if (!OPERATION_NAMES.includes(name)) throw new Error(`unknown operation ${String(name)}`)
  const reply = (await ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, input)) as
    { ok: true; value: unknown } | { ok: false; error: unknown }
  if (reply.ok) return reply.value
  const error = isWireError(reply.error) ? reply.error : { code: 'internal', message: 'unknown error' }
  throw Object.assign(new Error(error.message), { code: error.code })
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

contextBridge.exposeInMainWorld('paysync', buildApi(call, on))
