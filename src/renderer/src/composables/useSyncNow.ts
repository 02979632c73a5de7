import { h, ref } from 'vue'
import { NSpace, NTag, useNotification } from 'naive-ui'
import type { TradeType } from '../../../shared/domain'
import type { SyncSummary } from '../../../shared/views'
import { api } from '../bridge'
import { t } from '../i18n'
import { millis } from '../format'
import { useApiAction } from './useApiAction'

/** 立即同步: syncs the chosen trades now, waits for the answers and shows what they came to. */
export function useSyncNow() {
  const attempt = useApiAction()
  const notification = useNotification()
  const syncing = ref(false)

  function show(summary: SyncSummary): void {
    const parts: Array<[string, number, 'success' | 'info' | 'warning' | 'error' | 'default']> = [
      [t('summary.consistent'), summary.consistent, 'success'],
      [t('summary.repaired'), summary.repaired, 'info'],
      [t('summary.anomalies'), summary.anomalies, 'warning'],
      [t('summary.decided'), summary.decided, 'default'],
      [t('summary.waiting'), summary.waiting, 'default'],
      [t('summary.errors'), summary.errors, 'error'],
      // A trade the app, the cron or another window was syncing (docs/domain.md 6.3) said as such,
      // apart from the other skips: its own sync writes what the gateway answered.
      [t('summary.skipped'), summary.skipped - summary.elsewhere, 'default'],
      [t('summary.elsewhere'), summary.elsewhere, 'info'],
    ]
    const bad = summary.errors > 0 || summary.anomalies > 0
    notification.create({
      // Left to another process's sync: not an error, and not this click's success either.
      type: summary.errors > 0 ? 'error' : bad ? 'warning' : summary.elsewhere > 0 ? 'info' : 'success',
      // Nothing was asked by this click when every trade was another process's: not "synced".
      title:
        summary.elsewhere === summary.total
          ? t('summary.titleElsewhere', { n: summary.total })
          : t('summary.title', { n: summary.total }),
      description: t('summary.took', { d: millis(summary.durationMs) }),
      content: () =>
        h(NSpace, { size: 6 }, () =>
          parts
            .filter(([, n]) => n > 0)
            .map(([name, n, type]) =>
              h(NTag, { size: 'small', type, bordered: false }, () => `${name} ${n}`),
            ),
        ),
      duration: 8000,
      keepAliveOnHover: true,
    })
  }

  async function syncNow(type: TradeType, ids: number[]): Promise<SyncSummary | null> {
    if (ids.length === 0 || syncing.value) return null
    const summary = await attempt(() => api.orders.sync({ type, ids }), { busy: syncing })
    if (!summary) return null
    show(summary)
    return summary
  }

  return { syncNow, syncing }
}
