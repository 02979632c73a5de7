import fs from 'node:fs'
import type { KeyStoreInfo } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { addKeyFile, keyringSchemes, removeKeyFileWrap } from '../store/keyring'
import { keyFileFor, type ServiceContext } from './context'

// The desktop app keeps the data key in the operating system's key store, which a cron job cannot
// reach. Finance staff who also run the nightly `paysync sync --pending` on the same database allow
// it here: the data key gets a second wrap under a key file (mode 0600) beside the database.

function keyFileOf(ctx: ServiceContext): string | null {
  if (ctx.options.keyFile) return ctx.options.keyFile
  return ctx.options.dbFile === ':memory:' ? null : keyFileFor(ctx.options.dbFile)
}

export function keyStoreInfo(ctx: ServiceContext): KeyStoreInfo {
  const schemes = keyringSchemes(ctx.db)
  const keyFile = keyFileOf(ctx)
  const fallback = ctx.options.passphrase !== undefined ? 'passphrase' : 'keyfile'
  return {
    backend: ctx.options.keyStore?.backend ?? fallback,
    secure: ctx.options.keyStore?.secure ?? true,
    schemes,
    keyFile,
    headless: schemes.includes('keyfile') && keyFile !== null && fs.existsSync(keyFile),
    needsPassphrase: ctx.needsPassphrase(),
  }
}

/** The passphrase the person gave in the window, where the app has no secure key store. */
export async function unlockWithPassphrase(ctx: ServiceContext, passphrase: string): Promise<KeyStoreInfo> {
  await ctx.givePassphrase(passphrase)
  return keyStoreInfo(ctx)
}

export async function setHeadless(ctx: ServiceContext, enabled: boolean): Promise<KeyStoreInfo> {
  const keyFile = keyFileOf(ctx)
  if (!keyFile) throw AppError.say('invalid_input', 'keys.memory')
  if (enabled) {
    addKeyFile(ctx.db, await ctx.secretBox(), keyFile)
  } else if (!removeKeyFileWrap(ctx.db)) {
    throw AppError.say('conflict', 'keys.onlyKeyFile')
  }
  return keyStoreInfo(ctx)
}
