import { BATCH_LIMITS } from '../../../../shared/contract'
import type { Settings } from '../../../../shared/settings'
import type { MessageKey } from '../../i18n'

/** The settings 保存 writes (theme and language apply at once). */
export type EditableSettings = Omit<Settings, 'theme' | 'language'>

export type NumberSetting = Exclude<
  keyof EditableSettings,
  'schedulesEnabled' | 'operatorName' | 'autoReconcileEnabled' | 'autoReconcileTime'
>

/** What each number of 设置 takes, and the label its warning names it by. */
export const SETTING_BOUNDS: Record<NumberSetting, { min: number; max: number; label: MessageKey }> = {
  scheduleTickSec: { min: 10, max: 3600, label: 'settings.tick' },
  defaultConcurrency: {
    min: BATCH_LIMITS.concurrency[0],
    max: BATCH_LIMITS.concurrency[1],
    label: 'settings.concurrency',
  },
  defaultQps: { min: BATCH_LIMITS.qps[0], max: BATCH_LIMITS.qps[1], label: 'settings.qps' },
  refundGraceMinutes: { min: 0, max: 1440, label: 'settings.grace' },
  errorThreshold: { min: 1, max: 1000, label: 'settings.errorThreshold' },
  // docs/reconcile.md A8 and A11; the same bounds as shared/settings.ts.
  crossDayToleranceMinutes: { min: 0, max: 720, label: 'settings.crossDay' },
  carryOverDays: { min: 1, max: 31, label: 'settings.carryOver' },
  reconcileSyncRetries: { min: 0, max: 10, label: 'settings.reconcileRetries' },
}
