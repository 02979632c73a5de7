import { safeStorage } from 'electron'
import type { SafeStorageWrapper } from '../store/keyring'

// Merchant secrets in the desktop app are protected by the operating system's key store. On Linux
// without a keyring, Electron falls back to `basic_text`, which protects nothing: say so on screen.

export function keyStoreStatus(): { backend: string; secure: boolean; warning: string | null } {
  const backend =
    process.platform === 'linux'
      ? safeStorage.getSelectedStorageBackend()
      : process.platform === 'darwin'
        ? 'keychain'
        : 'dpapi'
  const available = safeStorage.isEncryptionAvailable()
  const secure = available && backend !== 'basic_text'
  return {
    backend,
    secure,
    warning: secure
      ? null
      : '系统未检测到密钥环，商户密钥未受操作系统保护。请安装并解锁 gnome-keyring 或 KWallet，或设置 PAYSYNC_PASSPHRASE 口令。',
  }
}

export function safeStorageWrapper(): SafeStorageWrapper | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  return {
    wrap: (plain) => safeStorage.encryptString(plain.toString('base64')),
    unwrap: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
  }
}
