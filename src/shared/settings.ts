import { z } from 'zod'
import { DEFAULT_SETTINGS } from './settings-defaults'

// What a person may set in 设置 Settings, with the defaults a first start uses. Schedules are on by
// default: DaxPay ships its jobs switched off, and its users trip over that.

export const settingsSchema = z.object({
  schedulesEnabled: z.boolean(),
  /** How often the timeout-close and pending schedules look for due trades, in seconds. */
  scheduleTickSec: z.number().int().min(10).max(3600),
  defaultConcurrency: z.number().int().min(1).max(64),
  defaultQps: z.number().positive().max(2000),
  refundGraceMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  errorThreshold: z.number().int().min(1).max(1000),
  theme: z.enum(['light', 'dark', 'auto']),
  language: z.enum(['zh-CN', 'en-US']),
  operatorName: z.string().trim().max(64),
  /**
   * Reconciliation (docs/reconcile.md A8, A11): the band around midnight in which a local trade without
   * its line waits for the next day's bill (UnionPay, whose day is its settle date, takes at least 60),
   * how many days the carry-over pool waits at most, and how often a difference's failed sync is retried.
   */
  crossDayToleranceMinutes: z.number().int().min(0).max(720),
  carryOverDays: z.number().int().min(1).max(31),
  reconcileSyncRetries: z.number().int().min(0).max(10),
  /**
   * The daily reconciliation of yesterday's bills while the app or `paysync serve` runs (docs/reconcile.md
   * A12): on by default, at a Beijing time of day (HH:MM; 10:30 as DaxPay 3, once the gateways have the
   * bill out).
   */
  autoReconcileEnabled: z.boolean(),
  autoReconcileTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM'),
})
export type Settings = z.infer<typeof settingsSchema>

// The defaults live apart from the schema, so the window can start from them without loading zod.
export { DEFAULT_SETTINGS } from './settings-defaults'

/** The settings as stored, over the defaults; stored ones that no longer parse give the defaults. */
export function settingsOf(stored: Record<string, unknown>): Settings {
  const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stored })
  return parsed.success ? parsed.data : DEFAULT_SETTINGS
}

export const settingsPatchSchema = settingsSchema.partial()
