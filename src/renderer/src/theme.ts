import { ref } from 'vue'

export const theme = ref<'light' | 'dark'>(
  (localStorage.getItem('paysync-theme') as 'light' | 'dark' | null) ?? 'light',
)

export function setTheme(t: 'light' | 'dark'): void {
  theme.value = t
  localStorage.setItem('paysync-theme', t)
}
