import { buildApi, unwrapReply, type Api } from '../../../shared/api'
import type { EventName, OperationName } from '../../../shared/contract'

// Browser mode: the same contract over HTTP on loopback. Calls are POST /api/<operation>; events
// arrive as server-sent events. The browser signed in when it opened the address `paysync serve`
// printed: its session cookie (HttpOnly, so no script here ever holds it) goes with every call, the
// event stream and the downloads. A call the server no longer knows (it restarted) sends the tab to
// the page that says how to sign in again, instead of showing empty screens.

function signedOut(): void {
  location.replace('/')
}

export function httpApi(): Api {
  const call = async (name: OperationName, input: unknown) => {
    const res = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    })
    if (res.status === 401) signedOut()
    const body = (await res.json().catch(() => null)) as {
      ok: boolean
      value?: unknown
      error?: unknown
    } | null
    return unwrapReply(body, `HTTP ${res.status}`)
  }
  const listeners = new Map<EventName, Set<(p: unknown) => void>>()
  let source: EventSource | null = null
  const on = (event: EventName, listener: (p: unknown) => void) => {
    if (!source) {
      source = new EventSource('/api/events')
      source.onmessage = (m) => {
        const msg = JSON.parse(m.data as string) as { event: EventName; payload: unknown }
        for (const l of listeners.get(msg.event) ?? []) l(msg.payload)
      }
    }
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }
  return buildApi(call, on)
}
