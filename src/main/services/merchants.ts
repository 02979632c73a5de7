import type { ConnectionReport } from '../../shared/contract'
import type { MerchantView } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import { findMerchantByName, listMerchants, merchantView, type MerchantRow } from '../store/merchants'
import { fileCalls } from '../store/sql/calls'
import { sqliteExec } from '../store/sql/sqlite-exec'
import type { ServiceContext } from './context'
import {
  addProfileOn,
  removeProfileOn,
  setProfileEnabledOn,
  updateProfileOn,
  type ProfileBooks,
} from './merchant-profiles'
import { testMerchantOn } from './merchant-test'

// Merchant profiles on the desktop's file. What they do is written once for the file and a team
// database (merchant-profiles.ts, merchant-test.ts); this gives them the file's books.

export function listMerchantViews(ctx: ServiceContext): MerchantView[] {
  return listMerchants(ctx.db).map(merchantView)
}

export function findMerchant(ctx: ServiceContext, name: string): MerchantRow {
  const row = findMerchantByName(ctx.db, name)
  if (!row) throw AppError.say('not_found', 'merchant.noName', { name })
  return row
}

/** The file's books for a profile's writes: each runs when called, its audit row in its transaction. */
function fileProfileBooks(ctx: ServiceContext): ProfileBooks {
  return {
    calls: fileCalls(ctx.db),
    secretBox: () => ctx.secretBox(),
    forgetAdapter: (m) => ctx.forgetAdapter(m),
    now: ctx.now,
    actor: ctx.actor,
    // The window's watch sees this process's own writes; nobody else is told of a file's.
    changed: () => {},
  }
}

export function addMerchant(ctx: ServiceContext, input: unknown): Promise<MerchantView> {
  return addProfileOn(fileProfileBooks(ctx), input)
}

export function updateMerchantProfile(
  ctx: ServiceContext,
  id: number,
  input: Record<string, unknown>,
): Promise<MerchantView> {
  return updateProfileOn(fileProfileBooks(ctx), id, input)
}

export function setMerchantEnabled(ctx: ServiceContext, id: number, enabled: boolean): Promise<MerchantView> {
  return setProfileEnabledOn(fileProfileBooks(ctx), id, enabled)
}

export function removeMerchantProfile(ctx: ServiceContext, id: number): Promise<{ removed: true }> {
  return removeProfileOn(fileProfileBooks(ctx), id)
}

/** The connection test on the desktop's file (services/merchant-test.ts, written once with a team's). */
export function testMerchant(ctx: ServiceContext, id: number): Promise<ConnectionReport> {
  return testMerchantOn(
    {
      exec: sqliteExec(ctx.db),
      adapterFor: (m) => ctx.adapterFor(m),
      forgetAdapter: (m) => ctx.forgetAdapter(m),
      secretBox: () => ctx.secretBox(),
      now: ctx.now,
    },
    id,
  )
}
