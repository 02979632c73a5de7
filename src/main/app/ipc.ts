import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { CHANNEL_PREFIX, EVENT_CHANNEL, EVENT_NAMES, OPERATION_NAMES } from '../../shared/api'
import type { EventName } from '../../shared/contract'
import type { ApiBackend } from '../services/api-backend'
import { toWireError } from '../services/index'

// IPC generated from the contract: one handler per operation, each checking that the call comes
// from our own window's top frame before the input is validated and the service called, on the
// desktop's file or on a team database alike (services/api-backend.ts).

export { CHANNEL_PREFIX, EVENT_CHANNEL }

export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

export function registerIpc(ipcMain: IpcMain, backend: ApiBackend, isTrustedSender: SenderCheck): string[] {
  const channels: string[] = []
  for (const name of OPERATION_NAMES) {
    const channel = `${CHANNEL_PREFIX}${name}`
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedSender(event))
        return {
          ok: false,
          error: { code: 'forbidden', message: 'calls are accepted from the PaySync Desk window only' },
        }
      try {
        return { ok: true, value: await backend.dispatch(name, input) }
      } catch (err) {
        return { ok: false, error: toWireError(err) }
      }
    })
    channels.push(channel)
  }
  return channels
}

/** Pushes the contract's events (batch progress, import and export progress) to the window. */
export function forwardEvents(backend: ApiBackend, target: () => WebContents | null): () => void {
  const offs = EVENT_NAMES.map((event: EventName) =>
    backend.on(event, (payload) => {
      const wc = target()
      if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, { event, payload })
    }),
  )
  return () => offs.forEach((off) => off())
}
