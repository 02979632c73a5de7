import type { StatementChannel } from '../../../shared/statements'
import { scopePrefixes } from '../../engine/reconcile/classify'
import { feeRateMillionths } from '../../engine/reconcile/fees'
import type { MatchScope } from '../../engine/reconcile/scope'
import type { MerchantRow } from '../../store/merchants'
import { BILL_ACCOUNTS } from './bill-accounts'
import { publicSettings } from './common'

// What a run of a merchant's statement matches against, from its profile (docs/reconcile.md A5-A7):
// one reading for the file's run and the team database's.

export function matchScopeOf(
  merchant: MerchantRow,
  channel: StatementChannel,
  run: { statementId: number; run: number; billDate: string; now: number },
): MatchScope {
  const s = publicSettings(merchant)
  return {
    ...run,
    merchantId: merchant.id,
    channel,
    prefixes: scopePrefixes(s.statementScope),
    subMerchant: BILL_ACCOUNTS[channel].subMerchant(merchant, s),
    account: BILL_ACCOUNTS[channel].line(s),
    toleranceFen: Number(s.amountToleranceFen ?? 0) || 0,
    feeRateMillionths: feeRateMillionths(s.feeRate),
    // Set by the run from the bill's day (engine/reconcile/run.ts).
    window: { start: 0, end: 0 },
  }
}
