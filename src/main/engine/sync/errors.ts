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
