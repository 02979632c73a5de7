import { onActivated, onBeforeUnmount, onDeactivated, ref, watch, type Ref, type ShallowRef } from 'vue'
import type { StoreTopic } from '../../../shared/live'
import { useDetailStore } from '../stores/details'
import { useLiveStore } from '../stores/live'

// A list that follows what other processes add to it (docs/screens.md section 1, "Live"). When its
// topic moves, a list whose person is at its top (first page, scrolled up, no drawer open, nothing
// ticked) is read again quietly; otherwise the rows stay where they are under the person's hand and a
// bar offers the new ones (components/NewRowsBar.vue) until they are read.

/** How far down a table's body may be scrolled and still count as at its top, in pixels. */
const TOP_SLACK_PX = 4

interface LiveListSource {
  rows: ShallowRef<unknown[]>
  state: { page: number }
  load(): Promise<void>
  search(): Promise<void> | void
}

export interface LiveListOptions {
  /** The element holding the table: where the rows' scroll is read. */
  root?: Ref<HTMLElement | null>
  /** Something of the person's the rows must not move under: a ticked row, say. */
  busy?: () => boolean
  /** What else the screen reads again whenever the topic moves (figures beside the rows). */
  also?: () => void
}

/** Whether the rows under `root` are scrolled to their top (or do not scroll at all). */
function atTop(root: HTMLElement | null | undefined): boolean {
  if (!root) return true
  for (const el of root.querySelectorAll<HTMLElement>(
    '.n-data-table-base-table-body, .n-scrollbar-container',
  ))
    if (el.scrollTop > TOP_SLACK_PX) return false
  return true
}

export function useLiveList(topic: StoreTopic, list: LiveListSource, options: LiveListOptions = {}) {
  const live = useLiveStore()
  const details = useDetailStore()
  /** Rows added since the list was read (0 with `changed`: rows changed, none added). */
  const added = ref(0)
  const changed = ref(false)
  let shown = true

  const calm = () =>
    list.state.page === 1 &&
    !details.stack.some((d) => d.show) &&
    !(options.busy?.() ?? false) &&
    atTop(options.root?.value)

  const off = live.follow(topic, (e) => {
    // A screen kept built while another is shown reads its rows when it comes back.
    if (!shown) return
    options.also?.()
    if (calm()) {
      void list.load()
      return
    }
    added.value += e.added[topic]
    changed.value = true
  })
  onBeforeUnmount(off)
  onDeactivated(() => (shown = false))
  onActivated(() => {
    shown = true
    clear()
  })

  function clear(): void {
    added.value = 0
    changed.value = false
  }
  // The first page read again, by anyone: what the bar offered is on screen.
  watch(list.rows, () => {
    if (list.state.page === 1) clear()
  })

  /** The bar's 刷新: the first page, with the new rows at its top. */
  function refresh(): void {
    clear()
    for (const el of options.root?.value?.querySelectorAll<HTMLElement>(
      '.n-data-table-base-table-body, .n-scrollbar-container',
    ) ?? [])
      el.scrollTop = 0
    void list.search()
  }

  return { added, changed, refresh }
}
