import type { Settings } from './settings'

/** What a first start uses (./settings.ts has the rules each value follows). */
export const DEFAULT_SETTINGS: Settings = {
  schedulesEnabled: true,
  scheduleTickSec: 60,
  defaultConcurrency: 8,
  defaultQps: 20,
  refundGraceMinutes: 10,
  errorThreshold: 20,
  theme: 'light',
  language: 'zh-CN',
  operatorName: '',
  crossDayToleranceMinutes: 10,
  carryOverDays: 3,
  reconcileSyncRetries: 3,
  autoReconcileEnabled: true,
  autoReconcileTime: '10:30',
}
