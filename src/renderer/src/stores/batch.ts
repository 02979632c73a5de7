import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { BatchProgressEvent } from '../../../shared/contract'
import { api } from '../bridge'

/** The latest progress of every batch this window has heard of, and the one the batch screen shows. */
export const useBatchStore = defineStore('batch', () => {
  const progress = ref<Record<number, BatchProgressEvent>>({})
  const currentId = ref<number | null>(null)
  /** Bumped whenever a batch reaches an end state, so lists can reload. */
  const finished = ref(0)
  let off: (() => void) | null = null

  function accept(p: BatchProgressEvent): void {
    const before = progress.value[p.batchId]
    progress.value = { ...progress.value, [p.batchId]: p }
    if (before?.status !== p.status && ['done', 'cancelled', 'interrupted', 'paused'].includes(p.status))
      finished.value++
  }

  function listen(): void {
    if (off) return
    off = api.on('batch.progress', accept)
  }

  function stop(): void {
    off?.()
    off = null
  }

  /** The window went to other books (from the sandbox): their batches are not these. */
  function forget(): void {
    progress.value = {}
    currentId.value = null
  }

  const current = computed(() =>
    currentId.value === null ? null : (progress.value[currentId.value] ?? null),
  )

  return { progress, currentId, current, finished, accept, listen, stop, forget }
})
