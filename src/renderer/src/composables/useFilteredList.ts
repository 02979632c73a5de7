import { reactive, shallowRef } from 'vue'
import type { Page } from '../../../shared/domain'
import { usePagedList } from './usePagedList'

export interface FilteredListOptions {
  pageSize?: number
  /** Runs on every search, before the first page is asked for (a selection to drop, say). */
  onSearch?: () => void
}

/**
 * A list screen's filter bar over its remote-paginated list. `form` is what the bar's fields edit;
 * only 查询 (or Enter) turns it into the filter the rows follow, so `applied` is what paging and the
 * export use while the person is still typing. 重置 puts back `empty()` and searches again.
 */
export function useFilteredList<Form extends object, Filter, Row>(
  empty: () => Form,
  toFilter: (form: Form) => Filter,
  fetch: (filter: Filter, page: { limit: number; offset: number }) => Promise<Page<Row>>,
  options: FilteredListOptions = {},
) {
  // The fields hold plain values, never refs, so the reactive proxy reads as the Form itself.
  const form = reactive(empty()) as Form
  /** The filter of the rows on screen; replaced whole on each search, never edited in place. */
  const applied = shallowRef<Filter>(toFilter(empty()))
  const list = usePagedList<Row>((page) => fetch(applied.value, page), { pageSize: options.pageSize })

  function search(): void {
    applied.value = toFilter(form)
    options.onSearch?.()
    void list.search()
  }

  function reset(): void {
    Object.assign(form, empty())
    search()
  }

  return { form, applied, list, search, reset }
}
