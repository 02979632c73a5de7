import path from 'node:path'
import type { Db } from '../connection'
import { checkTopic, deliver, payloadText, type Handler } from './messages'
import type { Payload, Unlisten } from './types'

// Messages on SQLite reach the listeners of this process only: SQLite is a file, with no server to
// carry a message to another process, and on one computer the window and a cron run of the command
// line learn of each other's work from the file itself. Every handle on one file in this process
// shares a bus, so a message travels as it does on PostgreSQL: to every listener of its topic, the
// sender's own included, after the send returns.

const buses = new Map<string, Map<string, Set<Handler>>>()
const memoryKeys = new WeakMap<Db, string>()
let memories = 0

function busKey(db: Db): string {
  if (!db.memory) return path.resolve(db.name)
  let key = memoryKeys.get(db)
  if (!key) memoryKeys.set(db, (key = `:memory:${memories++}`))
  return key
}

export function localNotify(db: Db, topic: string, payload: Payload): void {
  checkTopic(topic)
  const text = payloadText(payload)
  // The listeners when it is sent, as PostgreSQL delivers to the sessions listening at its commit.
  const handlers = [...(buses.get(busKey(db))?.get(topic) ?? [])]
  setImmediate(() => deliver(handlers, topic, text))
}

export function localListen(db: Db, topic: string, handler: Handler): Unlisten {
  checkTopic(topic)
  const key = busKey(db)
  let bus = buses.get(key)
  if (!bus) buses.set(key, (bus = new Map()))
  let set = bus.get(topic)
  if (!set) bus.set(topic, (set = new Set()))
  set.add(handler)
  return async () => {
    if (!set.delete(handler) || set.size > 0) return
    if (bus.get(topic) === set) bus.delete(topic)
    if (bus.size === 0 && buses.get(key) === bus) buses.delete(key)
  }
}
