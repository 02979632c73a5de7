import { defineComponent, h, type Component } from 'vue'
import { mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { vi, type Mock } from 'vitest'
import { NConfigProvider, NDialogProvider, NMessageProvider, NNotificationProvider } from 'naive-ui'
import { buildApi, OPERATION_NAMES } from '../../src/shared/api'
import type {
  AppInfo,
  EventMap,
  EventName,
  OperationInput,
  OperationName,
  OperationOutput,
} from '../../src/shared/contract'

// The screens reach main only through `api` from src/renderer/src/bridge, so that module is the one
// thing a component test fakes (tests/renderer/setup.ts). The fake is built like the real transports:
// buildApi over OPERATION_NAMES, with one typed mock per operation behind it, so an answer of the
// wrong shape, or for an operation the contract has not, is a type error in the test.

export type OperationMock<K extends OperationName> = Mock<
  (input: OperationInput<K>) => Promise<OperationOutput<K>>
>
type Operations = { [K in OperationName]: OperationMock<K> }

/** The list operations: they answer an empty page until a test says otherwise. */
const LISTS = [
  'records.list',
  'orders.list',
  'refunds.list',
  'repairs.list',
  'anomalies.list',
  'audit.list',
  'batches.list',
  'batches.items',
  'statements.list',
  'statements.lines',
  'statements.diffs',
] as const satisfies readonly OperationName[]

export function fakeApi() {
  const ops = {} as Record<OperationName, Mock>
  for (const name of OPERATION_NAMES)
    // Loud, not undefined: a screen must not pass a test on an answer main never gives.
    ops[name] = vi.fn(async () => {
      throw new Error(`fakeApi: no answer for ${name}; give one with fake.answer('${name}', ...)`)
    })
  const typed = ops as unknown as Operations

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  const api = buildApi(
    (name, input) => ops[name](input),
    (event, listener) => {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
  )

  const fake = {
    /** The API as the screens get it from the bridge. */
    api,
    /** An operation's mock: what the screens asked, or an answer a test builds itself. */
    op<K extends OperationName>(name: K): OperationMock<K> {
      return typed[name]
    },
    /** From now on `name` answers `value`; its type is the contract's answer for that operation. */
    answer<K extends OperationName>(name: K, value: OperationOutput<K>): void {
      typed[name].mockImplementation(async () => value)
    },
    /** Main pushes an event to the window. */
    emit<E extends EventName>(event: E, payload: EventMap[E]): void {
      for (const listener of listeners.get(event) ?? []) listener(payload)
    },
    /** Browser mode's download of a file main wrote. */
    download: vi.fn<(path: string) => void>(),
  }
  for (const name of LISTS) fake.answer(name, { total: 0, amount: 0, items: [] })
  fake.answer('merchants.list', [])
  fake.answer('mappings.list', [])
  return fake
}

export type FakeApi = ReturnType<typeof fakeApi>

/** What app.info answers in browser mode on a healthy database; a test changes what it is about. */
export function appInfo(over: Partial<AppInfo> = {}): AppInfo {
  return {
    systemUser: null,
    version: '0.1.0',
    dbFile: 'x.db',
    team: null,
    transport: 'http',
    keyStore: {
      backend: 'keyfile',
      secure: true,
      schemes: ['keyfile'],
      keyFileName: 'p.key',
      headless: true,
      needsPassphrase: false,
    },
    sandbox: { running: false, url: null },
    demoInBooks: { merchants: 0, trades: 0 },
    schedules: { enabled: true, running: true, lastRunAt: null, leader: null },
    integrity: { status: 'ok', problems: [], checkedAt: null },
    ...over,
  }
}

let active: FakeApi | null = null

/** A fresh fake, and the one the mocked bridge answers with from now on: call it in `beforeEach`. */
export function installFakeApi(): FakeApi {
  active = fakeApi()
  return active
}

function current(): FakeApi {
  if (!active) throw new Error('no fake API: call installFakeApi() in beforeEach')
  return active
}

/** What tests/renderer/setup.ts puts in place of src/renderer/src/bridge. */
export const fakeBridge = {
  get api() {
    return current().api
  },
  download: (path: string) => current().download(path),
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
