import { reactive, shallowRef } from 'vue'
import type { DataTableSortState } from 'naive-ui'
import type { Page } from '../../../shared/entity-views'
import type { ListSort } from '../../../shared/filters'
import { usePagedList, type ListSums } from './usePagedList'

export interface FilteredListOptions {
  pageSize?: number
  /** The sums the list shows beside its count. */
  sums?: ListSums
  /** Runs on every search, before the first page is asked for (a selection to drop, say). */
  onSearch?: () => void
}

/** The columns that sort a list, by their keys: its time and its amount (shared/filters.ts LIST_SORTS). */
const SORTED_BY: Record<string, 'time' | 'amount'> = {
  createdAt: 'time',
  amount: 'amount',
  localAmount: 'amount',
}

/**
 * A list screen's filter bar over its remote-paginated list. `form` is what the bar's fields edit;
 * only 查询 (or Enter) turns it into the filter the rows follow, so `applied` is what paging and the
 * export use while the person is still typing. 重置 puts back `empty()` and searches again. A click on
 * a sortable column's header sorts the rows in the database (and the export) at once.
 */
export function useFilteredList<Form extends object, Filter extends { sort?: ListSort }, Row>(
  empty: () => Form,
  toFilter: (form: Form) => Filter,
  fetch: (filter: Filter, page: { limit: number; offset: number }) => Promise<Page<Row>>,
  options: FilteredListOptions = {},
) {
  // The fields hold plain values, never refs, so the reactive proxy reads as the Form itself.
  const form = reactive(empty()) as Form
  /** The filter of the rows on screen; replaced whole on each search, never edited in place. */
  const applied = shallowRef<Filter>(toFilter(empty()))
  const list = usePagedList<Row>((page) => fetch(applied.value, page), {
    pageSize: options.pageSize,
    sums: options.sums,
  })

  function withSort(filter: Filter, sort: ListSort | undefined): Filter {
    const { sort: _old, ...rest } = filter
    void _old
    return (sort && sort !== '-time' ? { ...rest, sort } : rest) as Filter
  }

  function search(): void {
    applied.value = withSort(toFilter(form), applied.value.sort)
    options.onSearch?.()
    void list.search()
  }

  function reset(): void {
    Object.assign(form, empty())
    applied.value = withSort(applied.value, undefined)
    search()
  }

  /** A column's sorting props: its arrow shows the order the rows are in (newest first by default). */
  function sortable(by: 'time' | 'amount'): { sorter: true; sortOrder: 'ascend' | 'descend' | false } {
    const now = applied.value.sort ?? '-time'
    return {
      sorter: true,
      sortOrder: now === by ? 'ascend' : now === `-${by}` ? 'descend' : false,
    }
  }

  /** The table's sorter changed: the rows of the applied filter in that order, from the first page. */
  function onSorter(state: DataTableSortState | DataTableSortState[] | null): void {
    const s = Array.isArray(state) ? state[0] : state
    const by = s && s.order ? SORTED_BY[String(s.columnKey)] : undefined
    const sort: ListSort | undefined = by ? (s!.order === 'ascend' ? by : `-${by}`) : undefined
    applied.value = withSort(applied.value, sort)
    void list.search()
  }

  return { form, applied, list, search, reset, sortable, onSorter }
}
