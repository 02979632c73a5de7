import { defineComponent, h, type Component } from 'vue'
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { vi } from 'vitest'
import { NConfigProvider, NDialogProvider, NMessageProvider, NNotificationProvider } from 'naive-ui'
import type { Api } from '../../src/shared/api'

// The screens reach main only through `api` from src/renderer/src/bridge, so that module is the one
// thing a component test fakes: every operation is a vi.fn, events go through `emit`.

type Listener = (payload: unknown) => void

export function fakeApi() {
  const listeners = new Map<string, Set<Listener>>()
  const fn = () => vi.fn(async (_input?: unknown): Promise<unknown> => undefined)
  const api = {
    app: { info: fn() },
    overview: { get: fn() },
    records: { list: fn(), get: fn() },
    orders: { list: fn(), get: fn(), sync: fn() },
    refunds: { list: fn(), get: fn() },
    repairs: { list: fn() },
    anomalies: { list: fn(), get: fn(), resolve: fn() },
    merchants: { list: fn(), add: fn(), update: fn(), setEnabled: fn(), remove: fn(), test: fn() },
    imports: { preview: fn(), run: fn() },
    batches: {
      start: fn(),
      list: fn(),
      get: fn(),
      items: fn(),
      pause: fn(),
      resume: fn(),
      cancel: fn(),
    },
    export: { run: fn() },
    files: { pickOpen: fn(), pickSave: fn(), upload: fn() },
    settings: { get: fn(), set: fn() },
    keys: { setHeadless: fn() },
    on: vi.fn((event: string, listener: Listener) => {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    }),
  }
  const emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload)
  }
  /** Sensible empty answers, so a screen mounts without each test saying everything. */
  const page = { total: 0, items: [] }
  for (const group of [api.records, api.orders, api.refunds, api.repairs, api.anomalies])
    group.list.mockResolvedValue(page)
  api.batches.list.mockResolvedValue(page)
  api.batches.items.mockResolvedValue(page)
  api.merchants.list.mockResolvedValue([])
  api.overview.get.mockResolvedValue(null)
  return { api, emit, typed: api as unknown as Api }
}

/** Mounts a component inside the providers App.vue gives it (messages, dialogs, notifications). */
export function mountScreen(component: Component, props: Record<string, unknown> = {}): VueWrapper {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:any(.*)*', component: { render: () => null } }],
  })
  const Host = defineComponent({
    setup: () => () =>
      h(NConfigProvider, null, () =>
        h(NMessageProvider, null, () =>
          h(NNotificationProvider, null, () => h(NDialogProvider, null, () => h(component, props))),
        ),
      ),
  })
  return mount(Host, { attachTo: document.body, global: { plugins: [pinia, router] } })
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}
