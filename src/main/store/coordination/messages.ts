import type { Payload } from './types'

// What a message between desktops may be, alike on both stores (docs/team-mode.md B8.5). A message
// says that something changed (a batch moved on, an anomaly or a statement came in); the listener
// reads what changed from the store. It is not the data: PostgreSQL keeps no message for a desktop
// that was not listening when it was sent, and limits one to 8,000 bytes.

const TOPIC = /^[a-z][a-z0-9_]{0,39}$/

/** PostgreSQL takes a message of fewer bytes than this. */
const MAX_PAYLOAD_BYTES = 8_000

export type Handler = (payload: Payload) => void

/**
 * A topic is a name, never SQL text: PostgreSQL's LISTEN takes no parameter, so the name is written
 * into the statement, and only what passes here ever is.
 */
export function checkTopic(topic: string): string {
  if (!TOPIC.test(topic))
    throw new TypeError(
      `a message topic is 1 to 40 lower-case letters, digits and _, beginning with a letter: ${JSON.stringify(topic)}`,
    )
  return topic
}

/** The message as it travels: JSON, within PostgreSQL's limit on both stores. */
export function payloadText(payload: Payload): string {
  const text = JSON.stringify(payload)
  if (Buffer.byteLength(text) >= MAX_PAYLOAD_BYTES)
    throw new RangeError(
      `a message carries fewer than ${MAX_PAYLOAD_BYTES} bytes of JSON; send the ids and let the listener read the rows`,
    )
  return text
}

/**
 * Hands a message to every handler of its topic, each on its own: one handler that throws neither
 * keeps the message from the others nor breaks the connection that carried it; it is reported.
 */
export function deliver(handlers: Iterable<Handler> | undefined, topic: string, text: string): void {
  if (!handlers) return
  for (const handler of [...handlers]) {
    try {
      handler(JSON.parse(text) as Payload)
    } catch (err) {
      process.emitWarning(`a listener of "${topic}" failed: ${(err as Error).message ?? String(err)}`)
    }
  }
}
