import { buildApi, unwrapReply, type Api } from '../../../shared/api'
import type { EventName, OperationName } from '../../../shared/contract'

// Browser mode: the same contract over HTTP on loopback. Calls are POST /api/<operation> with the
// per-run token; events arrive as server-sent events. The token comes in the page's address once and
// is then kept for this tab only.

function token(): string {
  const fromUrl = new URLSearchParams(location.search).get('token')
  if (fromUrl) {
    sessionStorage.setItem('paysync-token', fromUrl)
    history.replaceState(null, '', location.pathname + location.hash)
    return fromUrl
  }
  return sessionStorage.getItem('paysync-token') ?? ''
}

/** The token of this tab, for links the browser follows itself (export downloads). */
export function storedToken(): string {
  return sessionStorage.getItem('paysync-token') ?? ''
}

export function httpApi(): Api {
  const t = token()
  const call = async (name: OperationName, input: unknown) => {
    const res = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
      body: JSON.stringify(input ?? {}),
    })
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
      source = new EventSource(`/api/events?token=${encodeURIComponent(t)}`)
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
