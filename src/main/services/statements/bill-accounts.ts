import type { StatementChannel } from '../../../shared/statements'
import type { MerchantRow } from '../../store/merchants'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { knownBillAccount } from '../../store/statements'

// Which accounts a channel's bill names, and so which merchant a file and its lines belong to
// (docs/reconcile.md A6, A10). One entry per channel with bills: a channel given a daily bill
// (STATEMENT_CHANNELS in shared/statements.ts) is a compile error here until it says how its file
// is bound to the merchant (docs/adding-a-gateway.md).

interface BillAccounts {
  /**
   * The account the whole file must name; undefined when nothing says which yet; EARLIER_BILLS: the
   * one this merchant's earlier reconciled bills named.
   */
  file(
    merchant: MerchantRow,
    settings: Readonly<Record<string, string>>,
  ): string | undefined | typeof EARLIER_BILLS
  /** The account each line must name, for a bill that can hold other merchants' lines; null: any. */
  line(settings: Readonly<Record<string, string>>): string | null
  /** A partner profile's sub-merchant: lines of another sub-merchant are foreign; null: any. */
  subMerchant(merchant: MerchantRow, settings: Readonly<Record<string, string>>): string | null
}

/** The account a merchant's earlier reconciled bills named (store/statements.ts knownBillAccount). */
const EARLIER_BILLS = Symbol('earlier bills')

export const BILL_ACCOUNTS: { readonly [C in StatementChannel]: BillAccounts } = {
  alipay: {
    // The profile holds no PID: a file is bound to the one the merchant's earlier bills named.
    file: () => EARLIER_BILLS,
    line: () => null,
    subMerchant: () => null,
  },
  wechat: {
    file: (_merchant, s) => s.mchid,
    line: () => null,
    subMerchant: (merchant, s) => (merchant.mode === 'partner' ? (s.subMchid ?? null) : null),
  },
  unionpay: {
    file: (_merchant, s) => s.merId,
    line: (s) => s.merId ?? null,
    subMerchant: () => null,
  },
}

/** The account the merchant's file must name, read from either store's books (A10). */
export const fileAccountOn = both(function* (
  x: Exec,
  channel: StatementChannel,
  merchant: MerchantRow,
  settings: Readonly<Record<string, string>>,
): Q<string | undefined> {
  const account = BILL_ACCOUNTS[channel].file(merchant, settings)
  return account === EARLIER_BILLS ? yield* knownBillAccount(x, merchant.id) : account
})
