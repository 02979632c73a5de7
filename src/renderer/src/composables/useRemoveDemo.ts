import { ref, type Ref } from 'vue'
import { useDialog, useMessage } from 'naive-ui'
import { api } from '../bridge'
import { t } from '../i18n'
import { useAppStore } from '../stores/app'
import { useApiAction } from './useApiAction'

/**
 * Takes what an older version's sandbox left out of the books, after the person confirms: the offer
 * above every screen and the action in 设置 both use it.
 */
export function useRemoveDemo(): { removing: Ref<boolean>; removeDemo: () => void } {
  const app = useAppStore()
  const dialog = useDialog()
  const message = useMessage()
  const attempt = useApiAction()
  const removing = ref(false)

  function removeDemo(): void {
    const demo = app.info?.demoInBooks
    if (!demo) return
    dialog.warning({
      title: t('app.removeDemo'),
      content: t('app.removeDemoConfirm', demo),
      positiveText: t('app.removeDemo'),
      negativeText: t('common.cancel'),
      onPositiveClick: () =>
        attempt(
          async () => {
            const r = await api.merchants.removeDemo()
            message.success(t('app.demoRemoved', { merchants: r.merchants, trades: r.payOrders + r.refunds }))
            await app.refreshInfo()
            // Every screen is built again on the books without the demo.
            app.books++
            await app.loadMerchants()
          },
          { busy: removing },
        ),
    })
  }

  return { removing, removeDemo }
}
