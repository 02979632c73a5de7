import type { TradeType } from '../../../shared/domain'

export class TradeNotFoundError extends Error {
  constructor(type: TradeType, id: number) {
    super(`${type === 'pay' ? 'pay order' : 'refund'} ${id} does not exist`)
    this.name = 'TradeNotFoundError'
  }
}

/**
 * A sync that could not ask the gateway for a reason of ours. It is still an attempt (docs/domain.md
 * section 6, rule 1): its record carries `code`, so people can tell a broken profile from a gateway error.
 */
export class AttemptError extends Error {
  constructor(
    readonly code: 'merchant_config',
    message: string,
  ) {
    super(message)
    this.name = 'AttemptError'
  }
}

/**
 * A batch item this process no longer holds (its claim expired and another runner took it, or it was
 * finished or cancelled meanwhile): the attempt stops before its lease, asking and recording nothing,
 * so the item is synced by one runner only (docs/team-mode.md B8.5).
 */
export class ClaimLostError extends Error {
  constructor(itemId: number) {
    super(`batch item ${itemId} is no longer held by this process`)
    this.name = 'ClaimLostError'
  }
}
