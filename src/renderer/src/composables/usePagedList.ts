import { computed, nextTick, reactive, ref, shallowRef } from 'vue'
import { useMessage, type PaginationProps } from 'naive-ui'
import type { Page } from '../../../shared/domain'
import { t } from '../i18n'
import { errorText } from '../format'

const SPINNER_DELAY_MS = 200

/**
 * A remote-paginated list: only the rows of the page on screen are ever loaded. `fetch` gets the
 * page as limit/offset and applies the filter the view last submitted.
 */
export function usePagedList<T>(
  fetch: (page: { limit: number; offset: number }) => Promise<Page<T>>,
  options: { pageSize?: number } = {},
) {
  const message = useMessage()
  const rows = shallowRef<T[]>([])
  const loading = ref(false)
  /**
   * True once a load has taken longer than SPINNER_DELAY_MS: the table and the search button show their
   * spinners only then, so a quick answer neither flashes one nor pays for its fade (a forced reflow).
   */
  const slow = ref(false)
  let spinnerTimer: ReturnType<typeof setTimeout> | undefined
  const error = ref<string | null>(null)
  const state = reactive({ page: 1, pageSize: options.pageSize ?? 50, itemCount: 0 })
  let ticket = 0
  let markShown!: () => void
  /**
   * Settles once the first page (or its error) has been painted: what a list screen defers until then
   * (the date pickers) never stands between the user and the first rows.
   */
  const shown = new Promise<void>((resolve) => (markShown = resolve))

  async function load(): Promise<void> {
    const mine = ++ticket
    loading.value = true
    clearTimeout(spinnerTimer)
    spinnerTimer = setTimeout(() => (slow.value = loading.value), SPINNER_DELAY_MS)
    try {
      const res = await fetch({ limit: state.pageSize, offset: (state.page - 1) * state.pageSize })
      if (mine !== ticket) return
      rows.value = res.items
      state.itemCount = res.total
      error.value = null
      // The last page emptied meanwhile (rows resolved, filters changed): go back to one that has rows.
      if (res.items.length === 0 && res.total > 0 && state.page > 1) {
        state.page = Math.ceil(res.total / state.pageSize)
        void load()
      }
    } catch (err) {
      if (mine !== ticket) return
      error.value = errorText(err)
      message.error(error.value)
    } finally {
      if (mine === ticket) {
        loading.value = false
        slow.value = false
        clearTimeout(spinnerTimer)
      }
      void nextTick(() => requestAnimationFrame(() => setTimeout(markShown)))
    }
  }

  /** A new filter: back to the first page. */
  function search(): Promise<void> {
    state.page = 1
    return load()
  }

  const pagination = computed<PaginationProps>(() => ({
    page: state.page,
    pageSize: state.pageSize,
    itemCount: state.itemCount,
    pageSizes: [...new Set([options.pageSize ?? 50, 20, 50, 100])].sort((a, b) => a - b),
    showSizePicker: true,
    prefix: ({ itemCount }) => t('common.total', { n: itemCount ?? 0 }),
  }))

  function onPage(p: number): void {
    state.page = p
    void load()
  }

  function onPageSize(s: number): void {
    state.pageSize = s
    state.page = 1
    void load()
  }

  return { rows, loading, slow, error, state, pagination, shown, load, search, onPage, onPageSize }
}
