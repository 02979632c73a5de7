import { AppError } from '../../shared/errors'
import { settingsPatchSchema, type Settings } from '../../shared/settings'
import { describeIssues } from '../../shared/validation'
import { audit } from '../store/audit'
import { writeSettings } from '../store/settings'
import type { ServiceContext } from './context'

export function getSettings(ctx: ServiceContext): Settings {
  return ctx.settings()
}

/**
 * Writes a change of the settings. The audit row names who changed them as they were before the
 * change: a new operator name is a claim of the person changing it, so it is recorded with the old
 * name beside it (review L3), and the row carries the computer's user and the transport too.
 */
export function setSettings(ctx: ServiceContext, patch: unknown): Settings {
  const parsed = settingsPatchSchema.safeParse(patch)
  if (!parsed.success)
    throw AppError.say('invalid_input', 'settings.invalid', { detail: describeIssues(parsed.error) })
  const actor = ctx.actor
  const before = ctx.settings().operatorName
  writeSettings(ctx.db, parsed.data)
  const renamed =
    parsed.data.operatorName !== undefined && parsed.data.operatorName !== before
      ? { operatorName: { from: before, to: parsed.data.operatorName } }
      : {}
  audit(ctx.db, { ...actor, action: 'settings_changed', detail: { ...parsed.data, ...renamed } })
  return ctx.settings()
}
