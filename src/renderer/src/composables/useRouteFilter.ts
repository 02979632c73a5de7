import { watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { parseBeijing } from '../../../shared/time'

export interface RouteFilterOptions<Form> {
  /** The form as 重置 leaves it: a new link's filter starts from it. */
  empty: () => Form
  /** Sets on `into` what a link names in its own way (?held=1) and says whether it named anything. */
  more?: (into: Form) => boolean
}

/**
 * A list screen opened from a link that names its filter (the overview's figures: 今日出错 opens
 * 同步记录 with ?result=error&since=…&until=…): the named fields are set before the first page is
 * asked for, and again when another link brings the screen new ones. A screen kept built while
 * another was shown (App.vue) may still hold the person's own filter: a link's filter replaces it
 * whole, as on a screen built for the link. Values a field does not take are left out. Returns what
 * 重置 calls to leave the link's filter behind too.
 */
export function useRouteFilter<Form extends object>(
  form: Form,
  search: () => void,
  allowed: Readonly<Record<string, readonly string[]>>,
  options: RouteFilterOptions<Form>,
): { clear: () => void } {
  const route = useRoute()
  const router = useRouter()
  const path = route.path

  function apply(into: Form): boolean {
    const fields = into as Record<string, unknown>
    let named = false
    for (const [key, values] of Object.entries(allowed)) {
      const v = route.query[key]
      if (typeof v === 'string' && values.includes(v)) {
        fields[key] = v
        named = true
      }
    }
    const { since, until } = route.query
    if (
      'range' in fields &&
      typeof since === 'string' &&
      typeof until === 'string' &&
      parseBeijing(since) !== null &&
      parseBeijing(until) !== null
    ) {
      fields.range = [since, until]
      named = true
    }
    return (options.more?.(into) ?? false) || named
  }

  apply(form)
  watch(
    () => route.query,
    () => {
      if (route.path !== path) return
      const linked = options.empty()
      if (!apply(linked)) return
      Object.assign(form, linked)
      search()
    },
  )
  return {
    clear: () => {
      if (Object.keys(route.query).length) void router.replace({ query: {} })
    },
  }
}
