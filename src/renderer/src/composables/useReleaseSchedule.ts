import { ref } from 'vue'
import { useMessage } from 'naive-ui'
import type { OperationInput } from '../../../shared/contract'
import { api } from '../bridge'
import { t } from '../i18n'
import { useApiAction } from './useApiAction'

/**
 * 恢复定时同步: trades a paused or cancelled batch kept out of the schedules go back in them
 * (docs/domain.md 6.7), every one of a batch or the ones chosen; says how many.
 */
export function useReleaseSchedule() {
  const attempt = useApiAction()
  const message = useMessage()
  const releasing = ref(false)

  async function release(input: OperationInput<'schedule.release'>): Promise<number | null> {
    const done = await attempt(() => api.schedule.release(input), { busy: releasing })
    if (!done) return null
    message.success(t('trades.released', { n: done.released }))
    return done.released
  }

  return { release, releasing }
}
