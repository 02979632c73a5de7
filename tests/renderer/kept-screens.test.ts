import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { appInfo, installFakeApi, settle, type FakeApi } from './helpers'
import App from '../../src/renderer/src/App.vue'
import { router } from '../../src/renderer/src/router'

// Moving between screens (issue 16, item 4): a list stays built while another screen is shown, comes
// back as it was left and asks for its rows again; a link that names a filter replaces the one it held.

let fake: FakeApi
const empty = { total: 0, amount: 0, items: [] }

describe('a list kept while another screen is shown', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.answer('app.info', appInfo())
    fake.answer('records.list', empty)
    fake.answer('repairs.list', empty)
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('keeps its filter, reloads its rows, and takes a link’s filter whole', async () => {
    await router.push('/records')
    await router.isReady()
    const w = mount(App, { attachTo: document.body, global: { plugins: [createPinia(), router] } })
    await settle()
    const list = fake.op('records.list')
    await w.find('[data-test=no] input').setValue('R-1')
    await w.find('[data-test=search]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith({ no: 'R-1', limit: 50, offset: 0 })

    await router.push('/repairs')
    await settle()
    expect(w.find('[data-screen=records]').exists()).toBe(false)
    list.mockClear()
    await router.push('/records')
    await settle()
    // The same screen, not a new one: what was typed is still there, and the rows are asked again.
    expect((w.find('[data-test=no] input').element as HTMLInputElement).value).toBe('R-1')
    expect(list).toHaveBeenCalledTimes(1)
    expect(list).toHaveBeenLastCalledWith({ no: 'R-1', limit: 50, offset: 0 })

    // The overview's 今日出错 from another screen: its filter, not its filter and the number typed.
    await router.push('/repairs')
    await settle()
    await router.push({ path: '/records', query: { result: 'error' } })
    await settle()
    expect(list).toHaveBeenLastCalledWith({ result: 'error', limit: 50, offset: 0 })
    expect((w.find('[data-test=no] input').element as HTMLInputElement).value).toBe('')
    w.unmount()
  })
})
