import type { ConnectionReport } from '../../shared/contract'
import type { MerchantView } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { profileSchema, SECRET_FIELDS, splitProfile, type MerchantProfile } from '../../shared/profiles'
import { describeIssues } from '../../shared/validation'
import { audit } from '../store/audit'
import {
  findMerchantByName,
  getMerchant,
  insertMerchant,
  listMerchants,
  merchantView,
  recordMerchantHealth,
  removeMerchant,
  setMerchantEnabledFlag,
  updateMerchant,
  type MerchantRow,
} from '../store/merchants'
import type { ServiceContext } from './context'

// Merchant profiles. Secrets go in, sealed, and never come out: every answer shows only whether each
// secret is set.

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
  const { publicSettings, secrets } = splitProfile(profile)
  const sealed = (await ctx.secretBox()).seal(secrets)
  const id = insertMerchant(
    ctx.db,
    {
      name: profile.name,
      channel: profile.channel,
      mode: 'mode' in profile ? profile.mode : 'direct',
      endpoint: profile.endpoint,
      settings: publicSettings,
      secrets: sealed,
      secretNames: [...SECRET_FIELDS[profile.channel]],
      enabled: true,
    },
    ctx.now(),
  )
  ctx.forgetAdapter(id)
  audit(ctx.db, {
    operator: ctx.operator,
    action: 'merchant_added',
    target: profile.name,
    detail: { channel: profile.channel, secrets: Object.keys(secrets) },
  })
  return merchantView(getMerchant(ctx.db, id)!)
}

/** Updates a profile; secret fields left out (or empty) keep their stored values. */
export async function updateMerchantProfile(
  ctx: ServiceContext,
  id: number,
  input: Record<string, unknown>,
): Promise<MerchantView> {
  const row = requireMerchant(ctx, id)
  const box = await ctx.secretBox()
  const stored = row.secrets ? box.open(row.secrets) : {}
  const merged: Record<string, unknown> = { ...input }
  const channel = (input.channel ?? row.channel) as MerchantRow['channel']
  const changedSecrets: string[] = []
  for (const name of SECRET_FIELDS[channel]) {
    const given = input[name]
    if (given === undefined || given === null || given === '') {
      if (channel === row.channel && stored[name] !== undefined) merged[name] = stored[name]
    } else changedSecrets.push(name)
  }
  const profile = parseProfile(merged)
  const other = findMerchantByName(ctx.db, profile.name)
  if (other && other.id !== id) throw AppError.say('conflict', 'merchant.exists', { name: profile.name })
  const { publicSettings, secrets } = splitProfile(profile)
  updateMerchant(
    ctx.db,
    id,
    {
      name: profile.name,
      channel: profile.channel,
      mode: 'mode' in profile ? profile.mode : 'direct',
      endpoint: profile.endpoint,
      settings: publicSettings,
      secrets: box.seal(secrets),
      secretNames: [...SECRET_FIELDS[profile.channel]],
      enabled: row.enabled === 1,
    },
    ctx.now(),
  )
  ctx.forgetAdapter(id)
  audit(ctx.db, {
    operator: ctx.operator,
    action: 'merchant_changed',
    target: profile.name,
    detail: { secretsChanged: changedSecrets },
  })
  return merchantView(getMerchant(ctx.db, id)!)
}

export function setMerchantEnabled(ctx: ServiceContext, id: number, enabled: boolean): MerchantView {
  const row = requireMerchant(ctx, id)
  setMerchantEnabledFlag(ctx.db, id, enabled, ctx.now())
  ctx.forgetAdapter(id)
  audit(ctx.db, { operator: ctx.operator, action: 'merchant_changed', target: row.name, detail: { enabled } })
  return merchantView(getMerchant(ctx.db, id)!)
}

export function removeMerchantProfile(ctx: ServiceContext, id: number): { removed: true } {
  const row = requireMerchant(ctx, id)
  removeMerchant(ctx.db, id, ctx.now())
  ctx.forgetAdapter(id)
  audit(ctx.db, { operator: ctx.operator, action: 'merchant_removed', target: row.name })
  return { removed: true }
}

export async function testMerchant(ctx: ServiceContext, id: number): Promise<ConnectionReport> {
  requireMerchant(ctx, id)
  ctx.forgetAdapter(id)
  let report: ConnectionReport
  try {
    const adapter = await ctx.adapterFor(id)
    report = await adapter.testConnection()
  } catch (err) {
    report = {
      ok: false,
      signatureValid: null,
      clockSkewMs: null,
      latencyMs: 0,
      message: (err as Error).message,
    }
  }
  recordMerchantHealth(
    ctx.db,
    id,
    {
      ok: report.ok,
      error: report.ok ? null : report.message,
      clockSkewMs: report.clockSkewMs,
      latencyMs: report.latencyMs,
    },
    ctx.now(),
  )
  return report
}
