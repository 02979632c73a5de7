import { computed, ref } from 'vue'

// Light, dark, or whatever the operating system uses. Kept in localStorage for an instant first
// paint and in the settings (settings.set) as the source of truth.

export type ThemeSetting = 'light' | 'dark' | 'auto'

const stored = localStorage.getItem('paysync-theme')
export const themeSetting = ref<ThemeSetting>(
  stored === 'dark' || stored === 'auto' || stored === 'light' ? stored : 'light',
)

const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null
const osDark = ref(media?.matches ?? false)
media?.addEventListener?.('change', (e) => (osDark.value = e.matches))

/** The theme in effect. */
export const theme = computed<'light' | 'dark'>(() =>
  themeSetting.value === 'auto' ? (osDark.value ? 'dark' : 'light') : themeSetting.value,
)

export function setTheme(t: ThemeSetting): void {
  themeSetting.value = t
  localStorage.setItem('paysync-theme', t)
}
