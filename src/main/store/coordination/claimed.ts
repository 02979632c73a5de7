import type { TradeType } from '../../../shared/domain'
import type { ClaimedItem } from './types'

// A claimed batch item as both stores return it: the columns the claim statement's RETURNING names.

export interface ClaimRow {
  id: number
  batch_id: number
  trade_type: TradeType
  trade_id: number
  attempts: number
  not_before: number | null
  claim_expires_at: number
}

const COLUMNS = ['id', 'batch_id', 'trade_type', 'trade_id', 'attempts', 'not_before', 'claim_expires_at']

/** The RETURNING list of a claim, its columns named through `alias` where a join makes `id` ambiguous. */
export const claimReturning = (alias = ''): string => COLUMNS.map((c) => alias + c).join(', ')

/** Claimed rows in id order (RETURNING promises no order), as the interface names them. */
export function toClaimed(rows: ClaimRow[]): ClaimedItem[] {
  return rows
    .map((r) => ({
      id: r.id,
      batchId: r.batch_id,
      tradeType: r.trade_type,
      tradeId: r.trade_id,
      attempts: r.attempts,
      notBefore: r.not_before,
      claimExpiresAt: r.claim_expires_at,
    }))
    .sort((a, b) => a.id - b.id)
}
