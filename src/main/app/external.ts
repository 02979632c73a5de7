import { shell } from 'electron'

// The only way out of the app to the web: https links, opened in the user's browser. Plain http is
// refused too (review I1): a link in a gateway's answer or a document must not send the person to a
// page anyone on the way can change.

export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

export function openExternalSafely(url: string): boolean {
  if (!isSafeExternalUrl(url)) return false
  void shell.openExternal(url)
  return true
}
