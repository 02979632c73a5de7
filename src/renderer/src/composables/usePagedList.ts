import { computed, h, nextTick, onActivated, onDeactivated, reactive, ref, shallowRef } from 'vue'
import { useMessage, type PaginationProps } from 'naive-ui'
import type { ListTotals, Page } from '../../../shared/entity-views'
import { t, type MessageKey } from '../i18n'
import { count, errorText, yuan } from '../format'
import { screenShown } from '../idle'

const SPINNER_DELAY_MS = 200

/** What a list sums, each with its label: the amount and, for anomalies, the gateway's amount. */
export interface ListSums {
  amount: MessageKey
  gatewayAmount?: MessageKey
}

export interface PagedListOptions {
  pageSize?: number
  /** The sums the list shows beside its count (docs/screens.md section 1). */
  sums?: ListSums
}

/**
 * A remote-paginated list: only the rows of the page on screen are ever loaded. `fetch` gets the
 * page as limit/offset and applies the filter the view last submitted. The count and the sums of the
 * whole filter come with every page and show beside the page numbers, with a jump to a page number.
 */
export function usePagedList<T>(
  fetch: (page: { limit: number; offset: number }) => Promise<Page<T>>,
  options: PagedListOptions = {},
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
  const totals = shallowRef<Partial<ListTotals>>({})
  let ticket = 0
  let markShown!: () => void
  /**
   * Settles once the first page (or its error) has been painted: what a list screen defers until then
   * (the date pickers) never stands between the user and the first rows.
   */
  const shown = new Promise<void>((resolve) => (markShown = resolve))
  void shown.then(screenShown)

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
      totals.value = { amount: res.amount, gatewayAmount: res.gatewayAmount, capped: res.capped }
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

  // A screen kept built while another was shown (App.vue) shows the rows it had and asks for them
  // again: they may have changed meanwhile. The first activation is the screen's own first load.
  let away = false
  onDeactivated(() => (away = true))
  onActivated(() => {
    if (!away) return
    away = false
    void load()
  })

  /** A new filter: back to the first page. */
  function search(): Promise<void> {
    state.page = 1
    return load()
  }

  /**
   * 共 1,234 条 · 金额合计 ¥56,789.00. A number search that matched more trades than it follows says
   * so instead of its sums, which would be those of the newest of them only.
   */
  function summary() {
    const n = state.itemCount
    const { amount, gatewayAmount, capped } = totals.value
    if (capped)
      return h('span', { class: 'list-totals', 'data-test': 'list-totals' }, t('common.totalCapped'))
    const parts = [t('common.total', { n: count(n) })]
    if (options.sums && amount !== undefined) parts.push(`${t(options.sums.amount)} ${yuan(amount)}`)
    if (options.sums?.gatewayAmount && gatewayAmount !== undefined)
      parts.push(`${t(options.sums.gatewayAmount)} ${yuan(gatewayAmount)}`)
    return h('span', { class: 'list-totals', 'data-test': 'list-totals' }, parts.join(' · '))
  }

  const pagination = computed<PaginationProps>(() => ({
    page: state.page,
    pageSize: state.pageSize,
    itemCount: state.itemCount,
    pageSizes: [...new Set([options.pageSize ?? 50, 20, 50, 100])].sort((a, b) => a - b),
    showSizePicker: true,
    // Forty pages and more are common: a page number typed and Enter goes there.
    showQuickJumper: true,
    prefix: summary,
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

  return { rows, loading, slow, error, state, totals, pagination, shown, load, search, onPage, onPageSize }
}
