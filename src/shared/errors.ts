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
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export interface WireError {
  code: ErrorCode
  message: string
}

export function isWireError(v: unknown): v is WireError {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as WireError).code === 'string' &&
    typeof (v as WireError).message === 'string'
  )
}
