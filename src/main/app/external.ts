import { shell } from 'electron'

// The only way out of the app to the web: http(s) links, opened in the user's browser.

export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

export function openExternalSafely(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false
  void shell.openExternal(url)
  return true
}
