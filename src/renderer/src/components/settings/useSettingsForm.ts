import { computed, onBeforeUnmount, reactive, ref, watch, type ComputedRef, type Ref } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'
import { useDialog, useMessage } from 'naive-ui'
import type { Settings } from '../../../../shared/settings'
import { t } from '../../i18n'
import { useApiAction } from '../../composables/useApiAction'
import { useAppStore } from '../../stores/app'
import type { EditableSettings } from './bounds'

// The settings that wait for 保存: a copy to edit, whether it differs from what is saved, and the
// question before leaving with changes not saved (another screen, or closing the tab or the window).

function pick(s: Settings): EditableSettings {
  return {
    schedulesEnabled: s.schedulesEnabled,
    scheduleTickSec: s.scheduleTickSec,
    defaultConcurrency: s.defaultConcurrency,
    defaultQps: s.defaultQps,
    refundGraceMinutes: s.refundGraceMinutes,
    errorThreshold: s.errorThreshold,
    operatorName: s.operatorName,
    crossDayToleranceMinutes: s.crossDayToleranceMinutes,
    carryOverDays: s.carryOverDays,
    reconcileSyncRetries: s.reconcileSyncRetries,
    autoReconcileEnabled: s.autoReconcileEnabled,
    autoReconcileTime: s.autoReconcileTime,
  }
}

export function useSettingsForm(): {
  form: EditableSettings
  dirty: ComputedRef<boolean>
  saving: Ref<boolean>
  save: () => Promise<void>
} {
  const app = useAppStore()
  const message = useMessage()
  const dialog = useDialog()
  const attempt = useApiAction()
  const saving = ref(false)
  const form = reactive<EditableSettings>(pick(app.settings))
  watch(
    () => app.settings,
    (s) => Object.assign(form, pick(s)),
  )

  /** The form differs from what is saved. */
  const dirty = computed(() => {
    const saved = pick(app.settings)
    return (Object.keys(saved) as Array<keyof EditableSettings>).some((k) =>
      k === 'operatorName' ? saved[k] !== form[k].trim() : saved[k] !== form[k],
    )
  })

  function confirmLeave(): Promise<boolean> {
    return new Promise((resolve) => {
      dialog.warning({
        title: t('settings.unsavedTitle'),
        content: t('settings.unsavedText'),
        positiveText: t('settings.leave'),
        negativeText: t('settings.stay'),
        onPositiveClick: () => {
          Object.assign(form, pick(app.settings))
          resolve(true)
        },
        onNegativeClick: () => resolve(false),
        onClose: () => resolve(false),
        onMaskClick: () => resolve(false),
      })
    })
  }
  onBeforeRouteLeave(() => (dirty.value ? confirmLeave() : true))
  // Closing the tab or the window: the browser's own question.
  function beforeUnload(e: BeforeUnloadEvent): void {
    if (!dirty.value) return
    e.preventDefault()
    e.returnValue = ''
  }
  window.addEventListener('beforeunload', beforeUnload)
  onBeforeUnmount(() => window.removeEventListener('beforeunload', beforeUnload))

  async function save(): Promise<void> {
    await attempt(
      async () => {
        await app.save({ ...form, operatorName: form.operatorName.trim() })
        await app.refreshInfo().catch(() => undefined)
        message.success(t('settings.saved'))
      },
      { busy: saving },
    )
  }

  return { form, dirty, saving, save }
}
