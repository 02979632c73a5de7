import { changedAnchors } from '../../shared/anchors'
import type { ConnectionReport } from '../../shared/contract'
import type { MerchantView } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import {
  profileSchema,
  SECRET_FIELDS,
  shownSettings,
  splitProfile,
  type MerchantProfile,
} from '../../shared/profiles'
import { describeIssues } from '../../shared/validation'
import { audit } from '../store/audit'
import type { SecretBox } from '../store/keyring'
import {
  findMerchantByName,
  getMerchant,
  insertMerchant,
  listMerchants,
  merchantView,
  readMerchantSecrets,
  removeMerchant,
  sealProfileSecrets,
  setMerchantEnabledFlag,
  updateMerchant,
  type MerchantRow,
} from '../store/merchants'
import { sqliteExec } from '../store/sql/sqlite-exec'
import type { ServiceContext } from './context'
import { anchorAudit, anchorsChanged, keyFingerprints } from './merchant-anchors'
import { testMerchantOn } from './merchant-test'
import { checkProfileKeys } from './profile-key-check'

// Merchant profiles. Secrets go in, sealed, and never come out: every answer shows only whether each
// secret is set. Every key is read on the way in as its adapter will read it (profile-key-check.ts).
// Secrets are sealed bound to the profile's trust anchors (shared/anchors.ts): a change of the
// endpoint's origin, an id or a gateway key needs every stored secret typed again.

function parseProfile(input: unknown): MerchantProfile {
  const parsed = profileSchema.safeParse(input)
  if (!parsed.success)
    throw AppError.say('invalid_input', 'merchant.invalid', { detail: describeIssues(parsed.error) })
  return parsed.data
}

export function listMerchantViews(ctx: ServiceContext): MerchantView[] {
  return listMerchants(ctx.db).map(merchantView)
}

function requireMerchant(ctx: ServiceContext, id: number): MerchantRow {
  const row = getMerchant(ctx.db, id)
  if (!row || row.removed_at !== null) throw AppError.say('not_found', 'merchant.notFound', { id })
  return row
}

export function findMerchant(ctx: ServiceContext, name: string): MerchantRow {
  const row = findMerchantByName(ctx.db, name)
  if (!row) throw AppError.say('not_found', 'merchant.noName', { name })
  return row
}

export async function addMerchant(ctx: ServiceContext, input: unknown): Promise<MerchantView> {
  const profile = parseProfile(input)
  if (findMerchantByName(ctx.db, profile.name)) {
    throw AppError.say('conflict', 'merchant.exists', { name: profile.name })
  }
  checkProfileKeys(profile)
  const { publicSettings, secrets } = splitProfile(profile)
  const write = {
    name: profile.name,
    channel: profile.channel,
    mode: 'mode' in profile ? profile.mode : 'direct',
    endpoint: profile.endpoint,
    settings: publicSettings,
  } as const
  const sealed = sealProfileSecrets(await ctx.secretBox(), write, secrets)
  const id = insertMerchant(
    ctx.db,
    { ...write, secrets: sealed, secretNames: Object.keys(secrets), enabled: true },
    ctx.now(),
  )
  ctx.forgetAdapter(id)
  audit(ctx.db, {
    ...ctx.actor,
    action: 'merchant_added',
    target: profile.name,
    detail: {
      channel: profile.channel,
      secrets: Object.keys(secrets),
      endpoint: profile.endpoint,
      publicKeys: keyFingerprints(profile.channel, publicSettings),
    },
  })
  return merchantView(getMerchant(ctx.db, id)!)
}

/** The stored secrets of a profile; null when they were sealed for other anchors than it names now. */
function storedSecrets(row: MerchantRow, box: SecretBox): Record<string, string> | null {
  try {
    return readMerchantSecrets(row, box).secrets
  } catch (err) {
    if (err instanceof AppError && err.id === 'merchant.secretsUnbound') return null
    throw err
  }
}

/**
 * Updates a profile; secret fields left out (or empty) keep their stored values, unless the change
 * moves a trust anchor: then every stored secret must be typed again (docs/domain.md section 2).
 */
export async function updateMerchantProfile(
  ctx: ServiceContext,
  id: number,
  input: Record<string, unknown>,
): Promise<MerchantView> {
  const row = requireMerchant(ctx, id)
  const box = await ctx.secretBox()
  // A token an older profile keeps in its public settings counts as stored: this save seals it.
  const stored = storedSecrets(row, box)
  const merged: Record<string, unknown> = { ...input }
  const channel = (input.channel ?? row.channel) as MerchantRow['channel']
  const changedSecrets: string[] = []
  const kept: string[] = []
  const missing: string[] = []
  const sealedNames = JSON.parse(row.secret_names) as string[]
  for (const name of SECRET_FIELDS[channel]) {
    const given = input[name]
    if (given === undefined || given === null || given === '') {
      if (channel !== row.channel) continue
      if (stored === null) {
        if (sealedNames.includes(name)) missing.push(name)
      } else if (stored[name] !== undefined) {
        merged[name] = stored[name]
        kept.push(name)
      }
    } else changedSecrets.push(name)
  }
  // Secrets refused at use time (sealed for other anchors) are never carried into a save either.
  if (missing.length) throw AppError.say('invalid_input', 'merchant.secretsUnbound', { name: row.name })
  const profile = parseProfile(merged)
  const other = findMerchantByName(ctx.db, profile.name)
  if (other && other.id !== id) throw AppError.say('conflict', 'merchant.exists', { name: profile.name })
  // Kept keys too: one saved before this check existed is named here rather than at the next call.
  checkProfileKeys(profile)
  const { publicSettings, secrets } = splitProfile(profile)
  const before = { endpoint: row.endpoint, settings: shownSettings(row.channel, JSON.parse(row.settings)) }
  const after = { endpoint: profile.endpoint, settings: publicSettings }
  if (profile.channel === row.channel && kept.length) {
    const changed = changedAnchors(profile.channel, before, after)
    if (changed.length) throw anchorsChanged(row.name, changed, kept)
  }
  const write = {
    name: profile.name,
    channel: profile.channel,
    mode: 'mode' in profile ? profile.mode : 'direct',
    endpoint: profile.endpoint,
    settings: publicSettings,
  } as const
  updateMerchant(
    ctx.db,
    id,
    {
      ...write,
      secrets: sealProfileSecrets(box, write, secrets),
      secretNames: Object.keys(secrets),
      enabled: row.enabled === 1,
    },
    ctx.now(),
  )
  ctx.forgetAdapter(id)
  audit(ctx.db, {
    ...ctx.actor,
    action: 'merchant_changed',
    target: profile.name,
    detail: {
      secretsChanged: changedSecrets,
      ...(profile.channel === row.channel ? anchorAudit(profile.channel, before, after) : {}),
    },
  })
  return merchantView(getMerchant(ctx.db, id)!)
}

export function setMerchantEnabled(ctx: ServiceContext, id: number, enabled: boolean): MerchantView {
  const row = requireMerchant(ctx, id)
  setMerchantEnabledFlag(ctx.db, id, enabled, ctx.now())
  ctx.forgetAdapter(id)
  audit(ctx.db, { ...ctx.actor, action: 'merchant_changed', target: row.name, detail: { enabled } })
  return merchantView(getMerchant(ctx.db, id)!)
}

export function removeMerchantProfile(ctx: ServiceContext, id: number): { removed: true } {
  const row = requireMerchant(ctx, id)
  removeMerchant(ctx.db, id, ctx.now())
  ctx.forgetAdapter(id)
  audit(ctx.db, { ...ctx.actor, action: 'merchant_removed', target: row.name })
  return { removed: true }
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
