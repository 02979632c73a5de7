import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppInfo } from '../../../shared/contract'
import type { MerchantView } from '../../../shared/entity-views'
import type { Lang } from '../../../shared/labels'
import type { Settings } from '../../../shared/settings'
import { DEFAULT_SETTINGS } from '../../../shared/settings-defaults'
import { api } from '../bridge'
import { lang, setLang } from '../i18n'
import { setTheme, themeSetting, type ThemeSetting } from '../theme'
import { useLiveStore } from './live'

/** Settings, app info and the merchant names every filter bar offers. */
export const useAppStore = defineStore('app', () => {
  const settings = ref<Settings>({ ...DEFAULT_SETTINGS, theme: themeSetting.value, language: lang.value })
  const info = ref<AppInfo | null>(null)
  const merchants = ref<MerchantView[]>([])
  const loaded = ref(false)

  function apply(s: Settings): void {
    settings.value = s
    if (s.theme !== themeSetting.value) setTheme(s.theme)
    if (s.language !== lang.value) setLang(s.language)
  }

  async function load(): Promise<void> {
    const [s, i] = await Promise.all([api.settings.get(), api.app.info()])
    apply(s)
    info.value = i
    loaded.value = true
    followIntegrity()
  }

  /** Main checks the database file once after opening; its answer comes a few seconds later. */
  function followIntegrity(): void {
    if (info.value?.integrity.status !== 'checking') return
    setTimeout(() => {
      void refreshInfo()
        .then(followIntegrity)
        .catch(() => undefined)
    }, 3_000)
  }

  async function refreshInfo(): Promise<void> {
    info.value = await api.app.info()
  }

  /**
   * Which database the window shows: bumped when it goes from the sandbox to the books, so every
   * screen is built again on the books' data (App.vue keys the screen on it).
   */
  const books = ref(0)

  /**
   * After a merchant was saved: the first of the books' own ends the sandbox in main, and the window
   * follows. True when it did.
   */
  async function afterMerchantSaved(): Promise<boolean> {
    const wasSandbox = info.value?.sandbox.running ?? false
    await refreshInfo()
    if (!wasSandbox || info.value?.sandbox.running) return false
    books.value++
    return true
  }

  async function save(patch: Partial<Settings>): Promise<Settings> {
    const s = await api.settings.set(patch)
    apply(s)
    return s
  }

  /** Applied at once; saved with the settings when main is reachable. */
  async function setLanguage(l: Lang): Promise<void> {
    setLang(l)
    settings.value = { ...settings.value, language: l }
    await save({ language: l }).catch(() => undefined)
  }

  async function changeTheme(t: ThemeSetting): Promise<void> {
    setTheme(t)
    settings.value = { ...settings.value, theme: t }
    await save({ theme: t }).catch(() => undefined)
  }

  async function loadMerchants(): Promise<MerchantView[]> {
    merchants.value = await api.merchants.list()
    return merchants.value
  }

  /**
   * A profile another desktop added, changed or removed (`store.changed`'s merchants, docs/team-mode.md
   * B8.17): the merchant choices of every screen, and 商户配置, follow it. Returns the way to stop.
   */
  function followMerchants(): () => void {
    return useLiveStore().follow('merchants', () => void loadMerchants().catch(() => undefined))
  }

  const merchantOptions = computed(() => merchants.value.map((m) => ({ label: m.name, value: m.name })))

  return {
    settings,
    info,
    merchants,
    loaded,
    load,
    followMerchants,
    refreshInfo,
    books,
    afterMerchantSaved,
    save,
    setLanguage,
    changeTheme,
    loadMerchants,
    merchantOptions,
  }
})
