import type { Channel } from '../../src/shared/domain'
import type { Db } from '../../src/main/store/connection'
import { insertMerchant } from '../../src/main/store/merchants'

/**
 * A merchant row with no profile behind it, for store tests that only need trades and records to
 * belong to someone: no endpoint anyone calls, no secrets.
 */
export function bareMerchant(db: Db, name: string, channel: Channel = 'alipay'): number {
  return insertMerchant(db, {
    name,
    channel,
    mode: 'direct',
    endpoint: 'https://x',
    settings: {},
    secrets: null,
    secretNames: [],
    enabled: true,
  })
}
