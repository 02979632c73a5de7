import { watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { parseBeijing } from '../../../shared/time'

/**
 * A list screen opened from a link that names its filter (the overview's figures: 今日出错 opens
 * 同步记录 with ?result=error&since=…&until=…): the named fields are set before the first page is
 * asked for, and again when another link brings the screen new ones. Values a field does not take
 * are left out. Returns what 重置 calls to leave the link's filter behind too.
 */
export function useRouteFilter<Form extends object>(
  form: Form,
  search: () => void,
  allowed: Readonly<Record<string, readonly string[]>>,
): { clear: () => void } {
  const route = useRoute()
  const router = useRouter()
  const path = route.path
  const fields = form as Record<string, unknown>

  function apply(): boolean {
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
    return named
  }

  apply()
  watch(
    () => route.query,
    () => {
      if (route.path === path && apply()) search()
    },
  )
  return {
    clear: () => {
      if (Object.keys(route.query).length) void router.replace({ query: {} })
    },
  }
}
