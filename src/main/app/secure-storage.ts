import { safeStorage } from 'electron'
import type { SafeStorageWrapper } from '../store/keyring'

// Merchant secrets in the desktop app are protected by the operating system's key store. On Linux
// without a keyring, Electron falls back to `basic_text`, which protects nothing: it is refused, and
// the secrets are kept under a passphrase the window asks for (services/context.ts reads a basic_text
// wrap an older version made only to move it under that passphrase).

export function keyStoreStatus(): { backend: string; secure: boolean } {
  const backend =
    process.platform === 'linux'
      ? safeStorage.getSelectedStorageBackend()
      : process.platform === 'darwin'
        ? 'keychain'
        : 'dpapi'
  const available = safeStorage.isEncryptionAvailable()
  const secure = available && backend !== 'basic_text'
  return { backend, secure }
}

export function safeStorageWrapper(): SafeStorageWrapper | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  return {
    wrap: (plain) => safeStorage.encryptString(plain.toString('base64')),
    unwrap: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
  }
}
