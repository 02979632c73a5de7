import { ref } from 'vue'
import { useRouter } from 'vue-router'
import { useMessage } from 'naive-ui'
import { api } from '../bridge'
import { t } from '../i18n'
import { useApiAction } from './useApiAction'
import { useAppStore } from '../stores/app'
import { useBatchStore } from '../stores/batch'

type StartRequest = Omit<Parameters<typeof api.batches.start>[0], 'concurrency' | 'qps'>

/**
 * Starts a batch with the concurrency and QPS of 设置, says so, and goes to the batch screen to
 * watch it: what the orders' "sync the filter" and the overview's "sync the pending trades" both do.
 */
export function useStartBatch() {
  const app = useAppStore()
  const batches = useBatchStore()
  const router = useRouter()
  const message = useMessage()
  const attempt = useApiAction()
  const starting = ref(false)

  async function startBatch(request: StartRequest): Promise<void> {
    await attempt(
      async () => {
        const batch = await api.batches.start({
          ...request,
          concurrency: app.settings.defaultConcurrency,
          qps: app.settings.defaultQps,
        })
        batches.currentId = batch.id
        message.success(t('trades.batchStarted', { id: batch.id }))
        await router.push({ path: '/batch', query: { batch: String(batch.id) } })
      },
      { busy: starting },
    )
  }

  return { startBatch, starting }
}
