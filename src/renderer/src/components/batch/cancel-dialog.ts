import { h, ref } from 'vue'
import { NCheckbox, NText, type DialogApi } from 'naive-ui'
import { t } from '../../i18n'

/**
 * 取消批次 asks first, and also whether the batch's trades not yet final should stay out of the
 * schedules (docs/domain.md 6.7): ticked by default, since a person cancels because the file was
 * wrong or the gateway complains, and the schedules would otherwise ask about them all at once.
 * `openTrades`: how many of its trades are not final; without any, there is nothing to ask.
 */
export function askCancelBatch(
  dialog: DialogApi,
  id: number,
  openTrades: number,
  cancel: (holdSchedule: boolean) => Promise<void>,
): void {
  const hold = ref(true)
  dialog.warning({
    title: t('batch.cancelTitle', { id }),
    content: () =>
      h('div', { class: 'cancel-dialog', 'data-test': 'cancel-dialog' }, [
        h('p', t('batch.cancelConfirm')),
        openTrades > 0
          ? h('div', [
              h(
                NCheckbox,
                {
                  checked: hold.value,
                  'onUpdate:checked': (v: boolean) => (hold.value = v),
                  'data-test': 'hold-schedule',
                },
                () => t('batch.holdSchedule', { n: openTrades }),
              ),
              h(NText, { depth: 3, tag: 'p', style: 'font-size: 12px; margin: 4px 0 0 24px' }, () =>
                t('batch.holdScheduleHint'),
              ),
            ])
          : null,
      ]),
    positiveText: t('batch.cancel'),
    negativeText: t('common.back'),
    onPositiveClick: () => cancel(hold.value),
  })
}
