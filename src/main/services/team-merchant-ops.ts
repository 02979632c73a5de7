import type { ConnectionReport } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { liveMerchantsOn, merchantNamed, merchantView, type MerchantRow } from '../store/merchants'
import { teamCalls } from '../store/sql/calls'
import { both } from '../store/sql/exec'
import {
  addProfileOn,
  removeProfileOn,
  setProfileEnabledOn,
  updateProfileOn,
  type ProfileBooks,
} from './merchant-profiles'
import { testMerchantOn } from './merchant-test'
import type { TeamDesk } from './team-desk'
import type { TeamHandlers } from './team-handlers'

// The merchant profiles of a team database (docs/team-mode.md B8.17), by the functions the desktop's
// file runs (merchant-profiles.ts, merchant-test.ts): secrets sealed with the team key, each write
// and its audit row one PostgreSQL transaction, the other desktops told. Their adapters follow a
// changed profile on their next use (team-merchants.ts).

const merchantCalled = both(merchantNamed)

/** A team database's books for a profile's writes: the window's, and `paysync merchant … --db postgres://…`. */
export function teamProfileBooks(desk: TeamDesk): ProfileBooks {
  return {
    calls: teamCalls(desk.reads.pool),
    // The team key: the team passphrase or key file, never this computer's key store (B8.7).
    secretBox: () => desk.merchants.secretBox(),
    forgetAdapter: (m) => desk.merchants.forgetAdapter(m),
    now: Date.now,
    actor: desk.actor,
    changed: () => desk.changed(),
  }
}

/** A merchant's connection asked with the team's copy of its keys, opened with the team key. */
export async function testOnTeam(desk: TeamDesk, id: number): Promise<ConnectionReport> {
  const report = await testMerchantOn(
    {
      exec: desk.reads.exec,
      adapterFor: (m) => desk.merchants.adapterFor(m),
      forgetAdapter: (m) => desk.merchants.forgetAdapter(m),
      secretBox: () => desk.merchants.secretBox(),
      now: Date.now,
    },
    id,
  )
  desk.changed()
  return report
}

/** A live profile of the team database by its name, as the command line names it (services/merchants.ts findMerchant). */
export async function teamMerchantNamed(desk: TeamDesk, name: string): Promise<MerchantRow> {
  const row = await merchantCalled.async(desk.reads.exec, name, false)
  if (!row) throw AppError.say('not_found', 'merchant.noName', { name })
  return row
}

export const merchantOps: TeamHandlers = {
  'merchants.list': async ({ desk }) => (await liveMerchantsOn.async(desk.reads.exec)).map(merchantView),
  'merchants.add': async ({ desk }, profile) => addProfileOn(teamProfileBooks(desk), profile),
  'merchants.update': async ({ desk }, { id, profile }) =>
    updateProfileOn(teamProfileBooks(desk), id, profile),
  'merchants.setEnabled': async ({ desk }, { id, enabled }) =>
    setProfileEnabledOn(teamProfileBooks(desk), id, enabled),
  'merchants.remove': async ({ desk }, { id }) => removeProfileOn(teamProfileBooks(desk), id),
  'merchants.test': async ({ desk }, { id }) => testOnTeam(desk, id),
}
