import { AppError } from '../../shared/errors'
import { settingsPatchSchema, type Settings } from '../../shared/settings'
import { describeIssues } from '../../shared/validation'
import { audit } from '../store/audit'
import { writeSettings } from '../store/settings'
import type { ServiceContext } from './context'

export function getSettings(ctx: ServiceContext): Settings {
  return ctx.settings()
}

export function setSettings(ctx: ServiceContext, patch: unknown): Settings {
  const parsed = settingsPatchSchema.safeParse(patch)
  if (!parsed.success)
    throw AppError.say('invalid_input', 'settings.invalid', { detail: describeIssues(parsed.error) })
  writeSettings(ctx.db, parsed.data)
  audit(ctx.db, { operator: ctx.operator, action: 'settings_changed', detail: parsed.data })
  return ctx.settings()
}
