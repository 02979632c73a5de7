import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { StoreChangedEvent, StoreTopic } from '../../../shared/live'
import { api } from '../bridge'

// What other processes change in the books (docs/team-mode.md B8.5, docs/screens.md section 1): main
// says which lists moved (`store.changed`), and each screen that shows one reads it again or offers
// to (composables/useLiveList.ts). The menu's count of open anomalies is kept here.

type Follower = (e: StoreChangedEvent) => void

export const useLiveStore = defineStore('live', () => {
  /** Open anomalies of the books the window shows; null until known. */
  const openAnomalies = ref<number | null>(null)
  /** The batches other processes run now, as last told. */
  const running = ref<number[]>([])
  const followers = new Map<StoreTopic, Set<Follower>>()
  let off: (() => void) | null = null

  function accept(e: StoreChangedEvent): void {
    openAnomalies.value = e.openAnomalies
    running.value = e.running
    for (const topic of e.topics) for (const f of [...(followers.get(topic) ?? [])]) f(e)
  }

  function listen(): void {
    if (off) return
    off = api.on('store.changed', accept)
  }

  /** Calls `f` whenever `topic` moved; the function returned stops that. */
  function follow(topic: StoreTopic, f: Follower): () => void {
    let set = followers.get(topic)
    if (!set) followers.set(topic, (set = new Set()))
    set.add(f)
    return () => set.delete(f)
  }

  /** The open anomalies counted again: at start, and after this window's own work may have changed them. */
  async function countOpenAnomalies(): Promise<void> {
    const page = await api.anomalies.list({ status: 'open', limit: 1, offset: 0 })
    openAnomalies.value = page.total
  }

  /** The window went to other books (from the sandbox): what it knew is not theirs. */
  function forget(): void {
    running.value = []
    openAnomalies.value = null
  }

  return { openAnomalies, running, listen, follow, countOpenAnomalies, forget }
})
