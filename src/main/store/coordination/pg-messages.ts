import type pg from 'pg'
import { connectPg, type PgTarget } from '../pg/connect'
import { checkTopic, deliver, type Handler } from './messages'
import type { Unlisten } from './types'

// Listening on PostgreSQL (docs/team-mode.md B8.5): LISTEN holds a session, so the listeners of one
// handle share a connection of their own, opened at the first listen. When it drops (the server
// restarted, the network was cut) it is opened again, with every topic listened to again, waiting a
// little longer after each failure. Messages sent meanwhile are not kept by PostgreSQL: a listener
// treats a message as "look again", never as the only news of a change.

const RETRY_FIRST_MS = 500
const RETRY_MAX_MS = 30_000

/** Topics are checked names; the channel carries PaySync's prefix, so another program's never meet. */
export const channelOf = (topic: string): string => `paysync_${checkTopic(topic)}`

export class PgListener {
  private client: pg.Client | null = null
  private connecting: Promise<pg.Client> | null = null
  private readonly handlers = new Map<string, Set<Handler>>()
  private retryMs = RETRY_FIRST_MS
  private retry: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly target: PgTarget) {}

  async listen(topic: string, handler: Handler): Promise<Unlisten> {
    const channel = channelOf(topic)
    let set = this.handlers.get(channel)
    const first = !set
    if (!set) this.handlers.set(channel, (set = new Set()))
    set.add(handler)
    try {
      const c = await this.connection()
      // A connection opened just now listened to every channel already, this one included.
      if (first) await c.query(`LISTEN "${channel}"`)
    } catch (err) {
      this.drop(channel, set, handler)
      throw err
    }
    return async () => {
      if (this.drop(channel, set, handler)) await this.client?.query(`UNLISTEN "${channel}"`).catch(() => {})
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    this.handlers.clear()
    const c = this.client ?? (await this.connecting?.catch(() => null))
    this.client = null
    await c?.end().catch(() => {})
  }

  /** Takes a handler off; true when its channel has none left. */
  private drop(channel: string, set: Set<Handler>, handler: Handler): boolean {
    if (!set.delete(handler) || set.size > 0 || this.handlers.get(channel) !== set) return false
    this.handlers.delete(channel)
    return true
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('this coordination handle is closed'))
    if (this.client) return Promise.resolve(this.client)
    this.connecting ??= this.open().finally(() => (this.connecting = null))
    return this.connecting
  }

  private async open(): Promise<pg.Client> {
    const c = await connectPg(this.target, 10_000, true)
    c.on('notification', (m) => {
      const topic = m.channel.slice('paysync_'.length)
      deliver(this.handlers.get(m.channel), topic, m.payload ?? 'null')
    })
    try {
      for (const channel of this.handlers.keys()) await c.query(`LISTEN "${channel}"`)
    } catch (err) {
      await c.end().catch(() => {})
      throw err
    }
    if (this.closed) {
      await c.end().catch(() => {})
      throw new Error('this coordination handle is closed')
    }
    c.once('end', () => {
      if (this.client !== c) return
      this.client = null
      this.reconnectLater()
    })
    this.client = c
    this.retryMs = RETRY_FIRST_MS
    return c
  }

  private reconnectLater(): void {
    if (this.closed || this.handlers.size === 0 || this.retry) return
    this.retry = setTimeout(() => {
      this.retry = null
      this.connection().catch(() => {
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
        this.reconnectLater()
      })
    }, this.retryMs)
    this.retry.unref()
  }
}
