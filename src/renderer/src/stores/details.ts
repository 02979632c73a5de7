import { defineStore } from 'pinia'
import { ref } from 'vue'

// Detail drawers, stacked: a sync record opens its order, the order one of its refunds, and so on.
// Esc or the mask closes the top one only.

export type DetailKind = 'record' | 'pay' | 'refund' | 'anomaly' | 'statement'
export interface DetailEntry {
  key: number
  kind: DetailKind
  id: number
  show: boolean
}

export const useDetailStore = defineStore('details', () => {
  const stack = ref<DetailEntry[]>([])
  /** Bumped after anything in a drawer changed data (a resolve, a sync): lists reload on it. */
  const changed = ref(0)
  let next = 1

  function open(kind: DetailKind, id: number): void {
    const top = stack.value.at(-1)
    if (top && top.show && top.kind === kind && top.id === id) return
    stack.value.push({ key: next++, kind, id, show: true })
  }

  /** Starts the closing animation; `remove` follows when it ends. */
  function close(key: number): void {
    const entry = stack.value.find((e) => e.key === key)
    if (entry) entry.show = false
  }

  function remove(key: number): void {
    stack.value = stack.value.filter((e) => e.key !== key)
  }

  function closeAll(): void {
    for (const e of stack.value) e.show = false
  }

  function touch(): void {
    changed.value++
  }

  return { stack, changed, open, close, remove, closeAll, touch }
})
