import type { StatementChannel } from '../../../shared/statements'
import { stmt } from '../../store/connection'
import type { MerchantRow } from '../../store/merchants'
import type { ServiceContext } from '../context'

// Which accounts a channel's bill names, and so which merchant a file and its lines belong to
// (docs/reconcile.md A6, A10). One entry per channel with bills: a channel given a daily bill
// (STATEMENT_CHANNELS in shared/statements.ts) is a compile error here until it says how its file
// is bound to the merchant (docs/adding-a-gateway.md).

interface BillAccounts {
  /** The account the whole file must name; undefined when nothing says which yet. */
  file(
    ctx: ServiceContext,
    merchant: MerchantRow,
    settings: Readonly<Record<string, string>>,
  ): string | undefined
  /** The account each line must name, for a bill that can hold other merchants' lines; null: any. */
  line(settings: Readonly<Record<string, string>>): string | null
  /** A partner profile's sub-merchant: lines of another sub-merchant are foreign; null: any. */
  subMerchant(merchant: MerchantRow, settings: Readonly<Record<string, string>>): string | null
}

export const BILL_ACCOUNTS: { readonly [C in StatementChannel]: BillAccounts } = {
  alipay: {
    // The profile holds no PID: a file is bound to the one the merchant's earlier bills named.
    file: (ctx, merchant) => knownAlipayAccount(ctx, merchant.id),
    line: () => null,
    subMerchant: () => null,
  },
  wechat: {
    file: (_ctx, _merchant, s) => s.mchid,
    line: () => null,
    subMerchant: (merchant, s) => (merchant.mode === 'partner' ? (s.subMchid ?? null) : null),
  },
  unionpay: {
    file: (_ctx, _merchant, s) => s.merId,
    line: (s) => s.merId ?? null,
    subMerchant: () => null,
  },
}

/** The Alipay PID this merchant's earlier bills named: a file of another account is refused (A10). */
function knownAlipayAccount(ctx: ServiceContext, merchantId: number): string | undefined {
  const row = stmt<[number], { account_no: string }>(
    ctx.db,
    `SELECT account_no FROM statements WHERE merchant_id = ? AND account_no IS NOT NULL AND status IN ('matched', 'empty')
     ORDER BY bill_date DESC LIMIT 1`,
  ).get(merchantId)
  return row?.account_no
}
