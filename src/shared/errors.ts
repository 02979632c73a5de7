import { say, type MessageId } from './messages'

// Errors every transport carries the same way: a stable code for programs, one clear sentence for people.

export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'busy',
  'unreadable_file',
  'secrets_locked',
  'config',
  'store',
  'forbidden',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export class AppError extends Error {
  /** Set by `AppError.say`: lets the window show the sentence in its own language. */
  id?: MessageId
  params?: Record<string, string | number>

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'AppError'
  }

  /** An error whose sentence is in the catalog (shared/messages.ts), in English here. */
  static say(code: ErrorCode, id: MessageId, params: Record<string, string | number> = {}): AppError {
    const e = new AppError(code, say(id, params))
    e.id = id
    e.params = params
    return e
  }
}

export interface WireError {
  code: ErrorCode
  message: string
  /** The catalog entry and its parameters, when the sentence has one. */
  id?: string
  params?: Record<string, string | number>
}

export function isWireError(v: unknown): v is WireError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as WireError).code === 'string' &&
    typeof (v as WireError).message === 'string'
  )
}

/** A failed call as the window sees it: the wire error, thrown. */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly id?: string
  readonly params?: Record<string, string | number>

  constructor(wire: WireError) {
    super(wire.message)
    this.name = 'ApiError'
    this.code = wire.code
    if (wire.id) this.id = wire.id
    if (wire.params) this.params = wire.params
  }
}
