import { changedAnchors } from '../../shared/anchors'
import type { Actor } from '../../shared/domain'
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
import { auditOn } from '../store/audit'
import type { SecretBox } from '../store/keyring'
import {
  insertMerchantIn,
  merchantById,
  merchantNamed,
  merchantToWrite,
  merchantView,
  nameTaken,
  readMerchantSecrets,
  removeMerchantIn,
  sealProfileSecrets,
  setMerchantEnabledIn,
  updateMerchantIn,
  type MerchantRow,
  type MerchantWrite,
} from '../store/merchants'
import type { StoreCalls } from '../store/sql/calls'
import { both, type Exec, type Q } from '../store/sql/exec'
import { anchorAudit, anchorsChanged, keyFingerprints } from './merchant-anchors'
import type { MerchantBooks } from './merchant-test'
import { checkProfileKeys } from './profile-key-check'

// Merchant profiles added, changed, switched and removed, written once for the desktop's file and a
// team database (docs/team-mode.md B8.17), as the connection test is (merchant-test.ts). Secrets go in,
// sealed, and never come out: every answer shows only whether each secret is set. Every key is read on
// the way in as its adapter will read it (profile-key-check.ts). Secrets are sealed bound to the
// profile's trust anchors (shared/anchors.ts): a change of the endpoint's origin, an id or a gateway key
// needs every stored secret typed again. Each write and its audit row are one transaction.

/** What a profile's writes need of the books they land in. */
export interface ProfileBooks extends Pick<MerchantBooks, 'secretBox' | 'forgetAdapter' | 'now'> {
  /** The store functions: each at once on the file; a round trip, or one transaction, on a team database. */
  calls: StoreCalls
  /** Who the audit rows name. */
  actor: Actor
  /** The other desktops' windows told that the books changed (a team database); nothing on the file. */
  changed(): void
}

/** Tries at an update whose profile another desktop changed between its reading and its writing. */
const UPDATE_TRIES = 3

const merchantAt = both(merchantById)
const merchantCalled = both(merchantNamed)

function parseProfile(input: unknown): MerchantProfile {
  const parsed = profileSchema.safeParse(input)
  if (!parsed.success)
    throw AppError.say('invalid_input', 'merchant.invalid', { detail: describeIssues(parsed.error) })
  return parsed.data
}

const exists = (name: string) => AppError.say('conflict', 'merchant.exists', { name })

const notFound = (id: number) => AppError.say('not_found', 'merchant.notFound', { id })

async function liveMerchant(books: ProfileBooks, id: number): Promise<MerchantRow> {
  const row = await books.calls.run(merchantAt, id)
  if (!row || row.removed_at !== null) throw notFound(id)
  return row
}

/** The profile's public half as a write takes it. */
const writeOf = (profile: MerchantProfile, publicSettings: Record<string, string>) =>
  ({
    name: profile.name,
    channel: profile.channel,
    mode: 'mode' in profile ? profile.mode : 'direct',
    endpoint: profile.endpoint,
    settings: publicSettings,
  }) as const

/** The profile inserted (or a removed one of its name brought back) with its audit row; its view. */
const addedOn = both(function* (
  x: Exec,
  m: MerchantWrite,
  detail: Record<string, unknown>,
  actor: Actor,
  now: number,
): Q<MerchantView> {
  const id = yield* insertMerchantIn(x, m, now)
  // Another desktop's profile of this name came in since this one looked.
  if (id === null) throw exists(m.name)
  yield* auditOn(x, { ...actor, action: 'merchant_added', target: m.name, detail }, now)
  return merchantView((yield* merchantById(x, id))!)
})

export async function addProfileOn(books: ProfileBooks, input: unknown): Promise<MerchantView> {
  const profile = parseProfile(input)
  if (await books.calls.run(merchantCalled, profile.name, false)) throw exists(profile.name)
  checkProfileKeys(profile)
  const { publicSettings, secrets } = splitProfile(profile)
  const write = writeOf(profile, publicSettings)
  const sealed = sealProfileSecrets(await books.secretBox(), write, secrets)
  const detail = {
    channel: profile.channel,
    secrets: Object.keys(secrets),
    endpoint: profile.endpoint,
    publicKeys: keyFingerprints(profile.channel, publicSettings),
  }
  const view = await books.calls.inTransaction(
    addedOn,
    { ...write, secrets: sealed, secretNames: Object.keys(secrets), enabled: true },
    detail,
    books.actor,
    books.now(),
  )
  books.forgetAdapter(view.id)
  books.changed()
  return view
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

/** A profile's update as worked out from its row: what to write and what the audit row says. */
interface PlannedUpdate {
  write: MerchantWrite
  detail: Record<string, unknown>
}

/**
 * Secret fields left out (or empty) keep their stored values, unless the change moves a trust anchor:
 * then every stored secret must be typed again (docs/domain.md section 2).
 */
function planUpdate(row: MerchantRow, input: Record<string, unknown>, box: SecretBox): PlannedUpdate {
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
  // Kept keys too: one saved before this check existed is named here rather than at the next call.
  checkProfileKeys(profile)
  const { publicSettings, secrets } = splitProfile(profile)
  const before = { endpoint: row.endpoint, settings: shownSettings(row.channel, JSON.parse(row.settings)) }
  const after = { endpoint: profile.endpoint, settings: publicSettings }
  if (profile.channel === row.channel && kept.length) {
    const changed = changedAnchors(profile.channel, before, after)
    if (changed.length) throw anchorsChanged(row.name, changed, kept)
  }
  const write = writeOf(profile, publicSettings)
  return {
    write: {
      ...write,
      secrets: sealProfileSecrets(box, write, secrets),
      secretNames: Object.keys(secrets),
      enabled: row.enabled === 1,
    },
    detail: {
      secretsChanged: changedSecrets,
      ...(profile.channel === row.channel ? anchorAudit(profile.channel, before, after) : {}),
    },
  }
}

/**
 * The planned update written, if the profile is still as it was planned from (`readAt` its
 * updated_at): else null, and the caller plans again from the row as it is now.
 */
const updatedOn = both(function* (
  x: Exec,
  id: number,
  readAt: number,
  plan: PlannedUpdate,
  actor: Actor,
  now: number,
): Q<MerchantView | null> {
  const row = yield* merchantToWrite(x, id)
  if (!row || row.removed_at !== null) throw notFound(id)
  if (row.updated_at !== readAt) return null
  const other = yield* merchantNamed(x, plan.write.name)
  if (other && other.id !== id) throw exists(plan.write.name)
  yield* updateMerchantIn(x, id, plan.write, now)
  yield* auditOn(
    x,
    { ...actor, action: 'merchant_changed', target: plan.write.name, detail: plan.detail },
    now,
  )
  return merchantView((yield* merchantById(x, id))!)
})

/**
 * Updates a profile. It is planned from the row as read, then written only if nobody changed the row
 * meanwhile (another window, another desktop): else planned again from what that change left, so the
 * secrets kept and the anchors compared are always the stored ones.
 */
export async function updateProfileOn(
  books: ProfileBooks,
  id: number,
  input: Record<string, unknown>,
): Promise<MerchantView> {
  let row = await liveMerchant(books, id)
  const box = await books.secretBox()
  for (let tries = 1; ; tries++) {
    const plan = planUpdate(row, input, box)
    let view: MerchantView | null
    try {
      view = await books.calls.inTransaction(updatedOn, id, row.updated_at, plan, books.actor, books.now())
    } catch (err) {
      // A removed profile keeps its name, and another desktop may take one meanwhile: the unique index says.
      if (nameTaken(err)) throw exists(plan.write.name)
      throw err
    }
    if (view) {
      books.forgetAdapter(id)
      books.changed()
      return view
    }
    if (tries === UPDATE_TRIES)
      throw AppError.say('conflict', 'merchant.changedMeanwhile', { name: row.name })
    row = await liveMerchant(books, id)
  }
}

const enabledOn = both(function* (
  x: Exec,
  id: number,
  enabled: boolean,
  actor: Actor,
  now: number,
): Q<MerchantView> {
  const row = yield* merchantToWrite(x, id)
  if (!row || row.removed_at !== null) throw notFound(id)
  yield* setMerchantEnabledIn(x, id, enabled, now)
  yield* auditOn(x, { ...actor, action: 'merchant_changed', target: row.name, detail: { enabled } }, now)
  return merchantView((yield* merchantById(x, id))!)
})

export async function setProfileEnabledOn(
  books: ProfileBooks,
  id: number,
  enabled: boolean,
): Promise<MerchantView> {
  const view = await books.calls.inTransaction(enabledOn, id, enabled, books.actor, books.now())
  books.forgetAdapter(id)
  books.changed()
  return view
}

const removedOn = both(function* (x: Exec, id: number, actor: Actor, now: number): Q<void> {
  const row = yield* merchantToWrite(x, id)
  if (!row || row.removed_at !== null) throw notFound(id)
  yield* removeMerchantIn(x, row, now)
  yield* auditOn(x, { ...actor, action: 'merchant_removed', target: row.name }, now)
})

/** Removing forgets the secrets at once but keeps the row, so orders and records keep their merchant. */
export async function removeProfileOn(books: ProfileBooks, id: number): Promise<{ removed: true }> {
  await books.calls.inTransaction(removedOn, id, books.actor, books.now())
  books.forgetAdapter(id)
  books.changed()
  return { removed: true }
}
