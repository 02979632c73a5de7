import { inject, ref, type InjectionKey, type Ref } from 'vue'

/**
 * Settles once a list screen's first rows are on screen (usePagedList `shown`). The filter bar
 * provides it; the heavier filter controls wait for it, so the rows come first.
 */
export const LIST_SHOWN: InjectionKey<Promise<void>> = Symbol('list shown')

/** True once the list's first rows are on screen; true at once outside a list's filter bar. */
export function useListShown(): Ref<boolean> {
  const shown = inject(LIST_SHOWN, null)
  const ready = ref(!shown)
  void shown?.then(() => (ready.value = true))
  return ready
}
